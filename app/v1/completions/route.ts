// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { completions, clientIpFromHeaders, methodNotAllowedResponse } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = (req: Request) => completions(req, { clientIp: clientIpFromHeaders(req.headers) });
export const GET = methodNotAllowedResponse;
