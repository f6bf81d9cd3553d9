// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
// A catch-all, so model ids with a slash (openai/gpt-4o) are found too.
import { clientIpFromHeaders, methodNotAllowedResponse, retrieveModel } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = async (req: Request, { params }: { params: Promise<{ model: string[] }> }) =>
  retrieveModel(req, { clientIp: clientIpFromHeaders(req.headers) }, (await params).model.join("/"));
export const POST = methodNotAllowedResponse;
