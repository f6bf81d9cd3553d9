import { AppError, INTERNAL_ERROR, isAppError } from "@/lib/errors";

// The one writer of the /api surface (settlement API, session routes, /api/usage/token, health):
// `{ success: true, message: "", data }` or `{ success: false, code, message, fieldErrors? }` with
// the error's HTTP status. Anything that is not an AppError is logged and answered as a 500 that
// reveals nothing.

/**
 * The one rule for bigint in JSON on /api: a number when it is exact, else a string of digits, so a
 * client never reads a rounded amount. The other surfaces:
 * - /v1 (and new-api's /api/usage/token, which OpenAI-style tools read) answers numbers, as OpenAI
 *   clients expect: quotaToJsonNumber (lib/quota/money.ts) throws past 2^53, which no real amount
 *   reaches (it reports a key's figures: a budget is set at most to MAX_QUOTA, 5e14 < 2^53 ≈ 9e15,
 *   and the key's cumulative use would need 2^53 quota, some 18 billion USD at the default
 *   QuotaPerUnit), so it is never the 500 of a real balance; the billing endpoints answer display
 *   units, never raw quota.
 * - server actions carry amounts in their DTOs as strings (React's serialiser, then the forms, read
 *   text), formatted by lib/quota/money.ts.
 * - the CLI (scripts/cli/index.ts) prints every bigint as a string: its JSON is read by scripts.
 */
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
