import "server-only";
import { apiErrorResponse } from "@/lib/http/api";
import { ROLE } from "@/lib/users/schemas";
import { getSessionUserOrThrow } from "./index";
import type { SessionUser } from "./session";

// The one wrapper of the session routes (/api/* route handlers a signed-in browser calls, such as
// the CSV export): the session check (401 signed out, 403 below `minRole`) and the /api error
// shape for anything the handler throws.

export function withSession(
  handler: (req: Request, user: SessionUser) => Promise<Response>,
  minRole: number = ROLE.user,
): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      return await handler(req, await getSessionUserOrThrow(minRole));
    } catch (e) {
      return apiErrorResponse(e);
    }
  };
}
