import type { Mount, MountedHandler } from "@/lib/http/mount";
import { billingSubscription, billingUsage } from "./billing";
import {
  chatCompletions,
  completions,
  embeddings,
  messagesCreate,
  responsesCompactCreate,
  responsesCreate,
} from "./endpoints";
import { listModels, retrieveModel } from "./models";
import { unknownRoute } from "./mount";
import { messagesCountTokens, storedResponses } from "./unbilled";

// Every /v1 path the relay serves, in one table that both doors mount: Next's catch-all route
// (app/v1/[[...path]]) and the fast path of the production server (lib/server/fast-path.ts), so
// they answer alike. Each handler checks its own method (405); any other path is OpenAI's 404.

const EXACT = new Map<string, MountedHandler>([
  ["/v1/chat/completions", chatCompletions],
  ["/v1/completions", completions],
  ["/v1/embeddings", embeddings],
  ["/v1/responses", responsesCreate],
  ["/v1/responses/compact", responsesCompactCreate],
  ["/v1/messages", messagesCreate],
  ["/v1/messages/count_tokens", messagesCountTokens],
  ["/v1/models", listModels],
  ["/v1/dashboard/billing/usage", billingUsage],
  ["/v1/dashboard/billing/subscription", billingSubscription],
]);

/** paths whose rest is a parameter (model ids may contain a slash: openai/gpt-4o) */
const PREFIXED: ReadonlyArray<readonly [string, MountedHandler]> = [
  ["/v1/models/", retrieveModel],
  // a stored response: GET, DELETE, /input_items, /cancel (unbilled.ts)
  ["/v1/responses/", storedResponses],
];

/** The handler of a /v1 path. */
export function relayHandlerFor(pathname: string): MountedHandler {
  const exact = EXACT.get(pathname);
  if (exact) return exact;
  for (const [prefix, handler] of PREFIXED) if (pathname.startsWith(prefix)) return handler;
  return unknownRoute;
}

/** Any /v1 request, routed by its path. */
export function routeRelay(req: Request, mount: Mount): Promise<Response> {
  return relayHandlerFor(new URL(req.url).pathname)(req, mount);
}
