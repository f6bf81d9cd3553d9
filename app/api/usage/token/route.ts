// Mounts the framework-free endpoint (lib/relay); nothing else belongs here.
import { fromHeaders } from "@/lib/http/mount";
import { tokenUsage } from "@/lib/relay/usage-token";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// the wrapper answers other methods with 405
export const GET = fromHeaders(tokenUsage);
export const POST = GET;
