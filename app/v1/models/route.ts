// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { clientIpFromHeaders, listModels, methodNotAllowedResponse } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = (req: Request) => listModels(req, { clientIp: clientIpFromHeaders(req.headers) });
export const POST = methodNotAllowedResponse;
