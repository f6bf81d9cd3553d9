export { withApi, withSession, withAdmin, withRoot, parseJsonBody, parseQuery } from "./handlers";
export type { ApiContext, SessionContext, RouteContext } from "./handlers";
export { json, ok, fail, errorResponse } from "./respond";
export { clientIp } from "./client-ip";
