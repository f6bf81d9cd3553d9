import { AppError } from "@/lib/errors";
import { apiErrorResponse } from "@/lib/http/api";
import { settlementRefund, settlementRenew, settlementReserve, settlementSettle } from "./handlers";
import { settlementOpenApi } from "./openapi";

// The settlement API's paths for the fast path of the production server (lib/server/fast-path.ts),
// which answers them before Next's router. Next's route files (app/api/settlement/*) mount the same
// handlers for `next dev`; lib/server/fast-path.test.ts keeps the two lists equal.

type Handler = (req: Request) => Promise<Response>;

export const SETTLEMENT_ROUTES: ReadonlyMap<string, { method: "GET" | "POST"; handler: Handler }> = new Map([
  ["/api/settlement/reserve", { method: "POST", handler: settlementReserve }],
  ["/api/settlement/settle", { method: "POST", handler: settlementSettle }],
  ["/api/settlement/refund", { method: "POST", handler: settlementRefund }],
  ["/api/settlement/renew", { method: "POST", handler: settlementRenew }],
  ["/api/settlement/openapi.json", { method: "GET", handler: async () => Response.json(settlementOpenApi()) }],
]);

/** The handler of an /api/settlement path: its route, or the /api shape's 404 and 405. */
export function settlementHandlerFor(pathname: string): Handler {
  const route = SETTLEMENT_ROUTES.get(pathname);
  if (!route) return async () => apiErrorResponse(new AppError("not_found", `No such path: ${pathname}`, 404));
  return async (req) =>
    req.method === route.method
      ? route.handler(req)
      : apiErrorResponse(
          new AppError("method_not_allowed", `Method ${req.method} is not allowed on ${pathname}`, 405),
          { headers: { allow: route.method } },
        );
}
