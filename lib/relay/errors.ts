import { AppError, INTERNAL_ERROR, isAppError } from "@/lib/errors";

// The one error writer of the OpenAI-compatible surface:
//   {"error":{"message":"… (request id: X)","type":"…","param":null,"code":"…"}}
// with the AppError's HTTP status and an X-Request-Id header. `code` is distinct for every case so
// clients and tests can tell them apart; `type` follows OpenAI's families. Anything that is not an
// AppError is logged and answered as a 500 that reveals nothing.

function typeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return status === 503 ? "service_unavailable_error" : "upstream_error";
  return "invalid_request_error";
}

/** the error as the client may see it: an AppError, or a logged 500 that reveals nothing */
function asAppError(e: unknown, requestId: string): AppError {
  if (isAppError(e)) return e;
  console.error(`relay request ${requestId} failed`, e);
  return new AppError(INTERNAL_ERROR, "Internal error", 500);
}

export function openAiErrorResponse(e: unknown, requestId: string): Response {
  const err = asAppError(e, requestId);
  const body = {
    error: {
      message: `${err.message} (request id: ${requestId})`,
      type: typeOf(err.status),
      param: err.param,
      code: err.code,
    },
  };
  return Response.json(body, { status: err.status, headers: { "x-request-id": requestId } });
}

// The error writer of the Anthropic surface (/v1/messages, and /v1/models asked with
// anthropic-version): {"type":"error","error":{"type","message"},"request_id"}, with the same
// AppError status and X-Request-Id; the AppError's code stays in the message's place of a code,
// as Anthropic's bodies have none.

function anthropicTypeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

export function anthropicErrorResponse(e: unknown, requestId: string): Response {
  const err = asAppError(e, requestId);
  const body = {
    type: "error",
    error: { type: anthropicTypeOf(err.status), message: `${err.message} (${err.code})` },
    request_id: requestId,
  };
  return Response.json(body, { status: err.status, headers: { "x-request-id": requestId } });
}
