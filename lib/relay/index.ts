// The OpenAI-compatible relay: each endpoint is a function from a Web Request (plus the client's
// address) to a Web Response. Nothing here imports next/*: Next's route handlers under app/v1 only
// mount these, and a plain Node server can mount the same functions.
export { chatCompletions } from "./chat-completions";
export { completions } from "./completions";
export { embeddings } from "./embeddings";
export { listModels, retrieveModel } from "./models";
export { billingSubscription, billingUsage } from "./billing";
export { tokenUsage } from "./usage-token";
export { unknownRoute } from "./not-found";
export { methodNotAllowedResponse } from "./method";
export { clientIpFromHeaders, clientIpFromSocket } from "./client-ip";
export type { RelayContext } from "./proxy";
