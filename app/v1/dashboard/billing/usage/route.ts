// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { fromHeaders } from "@/lib/http/mount";
import { billingUsage } from "@/lib/relay/billing";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// the wrapper answers other methods with 405
export const GET = fromHeaders(billingUsage);
export const POST = GET;
