import { AppError, INTERNAL_ERROR, isAppError } from "@/lib/errors";

// The one writer of the /api surface (settlement API, session routes, /api/usage/token, health):
// `{ success: true, message: "", data }` or `{ success: false, code, message, fieldErrors? }` with
// the error's HTTP status. Anything that is not an AppError is logged and answered as a 500 that
// reveals nothing.

/** The one rule for bigint in JSON: a number when it is exact, else a string of digits. */
export function jsonText(body: unknown): string {
  return JSON.stringify(body, (_key, value) =>
    typeof value !== "bigint"
      ? value
      : value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString(),
  );
}

export function apiJson(body: unknown, init?: ResponseInit): Response {
  const headers = new Headers(init?.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(jsonText(body), { ...init, headers });
}

export function apiOk(data: unknown, init?: ResponseInit): Response {
  return apiJson({ success: true, message: "", data }, init);
}

export function apiErrorResponse(e: unknown, init?: { headers?: HeadersInit }): Response {
  const err = isAppError(e) ? e : internal(e);
  const body = {
    success: false,
    code: err.code,
    message: err.message,
    ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}),
  };
  return apiJson(body, { status: err.status, headers: init?.headers });
}

function internal(e: unknown): AppError {
  console.error("api request failed", e);
  return new AppError(INTERNAL_ERROR, "Internal error", 500);
}
