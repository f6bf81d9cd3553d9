// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { billingUsage, clientIpFromHeaders } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = (req: Request) => billingUsage(req, { clientIp: clientIpFromHeaders(req.headers) });
