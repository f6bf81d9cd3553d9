// Mounts the framework-free relay endpoint (lib/relay); nothing else belongs here.
// A catch-all, so model ids with a slash (openai/gpt-4o) are found too.
import { fromHeaders } from "@/lib/http/mount";
import { retrieveModel } from "@/lib/relay/models";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// the wrapper answers other methods with 405
export const GET = fromHeaders(retrieveModel);
export const POST = GET;
