import { errorResponse } from "./errors";
import { newRequestId } from "./ids";

/** Any /v1 path the relay does not serve: OpenAI's 404 body. */
export function unknownRoute(req: Request): Response {
  const path = new URL(req.url).pathname;
  return errorResponse({ status: 404, code: "unknown_url", message: `Invalid URL (${req.method} ${path})` }, newRequestId());
}
