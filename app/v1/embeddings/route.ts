// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { embeddings, clientIpFromHeaders, methodNotAllowedResponse } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = (req: Request) => embeddings(req, { clientIp: clientIpFromHeaders(req.headers) });
export const GET = methodNotAllowedResponse;
