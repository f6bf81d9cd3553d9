import type { Mount, MountedHandler } from "@/lib/http/mount";
import { newRequestId } from "@/lib/http/request-id";
import { AppError } from "@/lib/errors";
import { authenticateKey, type RelayKey } from "./auth";
import { openAiErrorResponse } from "./errors";

// The one wrapper of every route that takes an `sk-` key (/v1/* and /api/usage/token). It owns what
// each of them did alike: the request id (X-Request-Id of every answer), the client's address
// (from the mount), the method check, the key's authentication (authorizeKey, through
// authenticateKey) and the mapping of every error to the surface's one body — OpenAI's, unless the
// route names another writer. Framework-free: Next's route handlers and a plain node:http server
// mount the same functions.

export type RelayRequest = {
  req: Request;
  requestId: string;
  clientIp: string;
  auth: RelayKey;
};

type Route = {
  /** the path as clients and messages name it */
  path: string;
  method: "GET" | "POST" | "DELETE";
  /** a key may read its own usage even when expired or exhausted */
  readOnly?: boolean;
  /** the error body of the surface (default: OpenAI's) */
  writeError?: (e: unknown, requestId: string) => Response;
};

export function withRelayKey(route: Route, handler: (r: RelayRequest) => Promise<Response>): MountedHandler {
  const writeError = route.writeError ?? openAiErrorResponse;
  return async (req: Request, mount: Mount) => {
    const requestId = newRequestId();
    try {
      if (req.method !== route.method) throw methodNotAllowed(req.method, route.path);
      const auth = await authenticateKey(req.headers, route.path, mount.clientIp, route.readOnly);
      const res = await handler({ req, requestId, clientIp: mount.clientIp, auth });
      if (!res.headers.has("x-request-id")) res.headers.set("x-request-id", requestId);
      return res;
    } catch (e) {
      return writeError(e, requestId);
    }
  };
}

export function methodNotAllowed(method: string, path: string): AppError {
  return new AppError("method_not_allowed", `Method ${method} is not allowed on ${path}`, 405);
}

/** Any /v1 path the relay does not serve: OpenAI's 404 body. */
export async function unknownRoute(req: Request, _mount?: Mount): Promise<Response> {
  const path = new URL(req.url).pathname;
  return openAiErrorResponse(new AppError("unknown_url", `Invalid URL (${req.method} ${path})`, 404), newRequestId());
}
