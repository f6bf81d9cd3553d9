// Mounts the framework-free endpoint (lib/relay); nothing else belongs here.
import { clientIpFromHeaders, tokenUsage } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = (req: Request) => tokenUsage(req, { clientIp: clientIpFromHeaders(req.headers) });
