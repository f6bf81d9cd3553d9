// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { fromHeaders } from "@/lib/http/mount";
import { billingSubscription } from "@/lib/relay/billing";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// the wrapper answers other methods with 405
export const GET = fromHeaders(billingSubscription);
export const POST = GET;
