// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
import { fromHeaders } from "@/lib/http/mount";
import { chatCompletions } from "@/lib/relay/endpoints";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// the wrapper answers other methods with 405
export const POST = fromHeaders(chatCompletions);
export const GET = POST;
