// Every /v1 path, mounted from the relay's one route table (lib/relay/routes.ts). The production
// server answers /v1 before Next's router sees it (lib/server/fast-path.ts); this route serves the
// same handlers under `next dev` and any host that runs Next alone.
import { fromHeaders } from "@/lib/http/mount";
import { routeRelay } from "@/lib/relay/routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fromHeaders(routeRelay);
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
