import { errorResponse } from "./errors";
import { newRequestId } from "./ids";

/** A known /v1 path called with a method it does not serve. */
export function methodNotAllowedResponse(req: Request): Response {
  const path = new URL(req.url).pathname;
  return errorResponse({ status: 405, code: "method_not_allowed", message: `Method ${req.method} is not allowed on ${path}` }, newRequestId());
}
