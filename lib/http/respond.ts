import { isAppError } from "@/lib/errors";

// JSON bodies of the /api surface: `{ success: true, message: "", data }` or
// `{ success: false, code, message, fieldErrors? }` with the error's HTTP status.

/** bigint -> number when it is exact, else a string (a JSON number would silently lose digits) */
function replacer(_key: string, value: unknown) {
  if (typeof value !== "bigint") return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

export function json(body: unknown, init?: ResponseInit): Response {
  const headers = new Headers(init?.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body, replacer), { ...init, headers });
}

export function ok(data: unknown, init?: ResponseInit): Response {
  return json({ success: true, message: "", data }, init);
}

export function fail(status: number, code: string, message: string, fieldErrors?: Record<string, string[]>): Response {
  return json({ success: false, code, message, ...(fieldErrors ? { fieldErrors } : {}) }, { status });
}

/** AppError -> its status, code and message; anything else -> a logged 500 that reveals nothing */
export function errorResponse(e: unknown): Response {
  if (isAppError(e)) return fail(e.status, e.code, e.message, e.fieldErrors);
  console.error("api route failed", e);
  return fail(500, "internal_error", "Internal server error");
}
