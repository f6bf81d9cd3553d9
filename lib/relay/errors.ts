import { isAppError } from "@/lib/errors";

// The one error body of the OpenAI-compatible surface:
//   {"error":{"message":"… (request id: X)","type":"…","param":null,"code":"…"}}
// with a real HTTP status and an X-Request-Id header. `code` is distinct for every case so clients
// and tests can tell them apart; `type` follows OpenAI's families.

export class RelayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly param: string | null;

  constructor(status: number, code: string, message: string, param: string | null = null) {
    super(message);
    this.name = "RelayError";
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

function typeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return status === 503 ? "service_unavailable_error" : "upstream_error";
  return "invalid_request_error";
}

export function errorBody(err: { status: number; code: string; message: string; param?: string | null }, requestId: string) {
  return {
    error: {
      message: `${err.message} (request id: ${requestId})`,
      type: typeOf(err.status),
      param: err.param ?? null,
      code: err.code,
    },
  };
}

export function errorResponse(
  err: { status: number; code: string; message: string; param?: string | null },
  requestId: string,
): Response {
  return Response.json(errorBody(err, requestId), {
    status: err.status,
    headers: { "x-request-id": requestId },
  });
}

/** Any thrown value as an OpenAI error response: RelayError and AppError keep their status and code. */
export function toErrorResponse(e: unknown, requestId: string): Response {
  if (e instanceof RelayError) return errorResponse(e, requestId);
  if (isAppError(e)) return errorResponse({ status: e.status, code: e.code, message: e.message }, requestId);
  console.error(`relay request ${requestId} failed`, e);
  return errorResponse({ status: 500, code: "internal_error", message: "Internal error" }, requestId);
}
