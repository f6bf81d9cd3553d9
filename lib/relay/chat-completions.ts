import { relayRequest, type EndpointSpec, type RelayContext } from "./proxy";
import { chatPromptParts } from "./tokenizer";
import { invalidType, missing, optionalBoolean, optionalCount, optionalObject, requireModel } from "./validate";

const spec: EndpointSpec = {
  path: "/v1/chat/completions",
  parse(body) {
    const model = requireModel(body);
    if (body.messages === undefined || body.messages === null) throw missing("messages");
    if (!Array.isArray(body.messages)) throw invalidType("messages", "an array of messages");
    if (body.messages.length === 0) throw invalidType("messages", "a non-empty array of messages");
    for (const m of body.messages) {
      if (!m || typeof m !== "object" || Array.isArray(m)) throw invalidType("messages", "an array of message objects");
    }
    const stream = optionalBoolean(body, "stream");
    const so = optionalObject(body, "stream_options");
    if (so && so.include_usage !== undefined && so.include_usage !== null && typeof so.include_usage !== "boolean") {
      throw invalidType("stream_options.include_usage", "a boolean");
    }
    const maxTokens = optionalCount(body, "max_tokens");
    const maxCompletion = optionalCount(body, "max_completion_tokens");
    return {
      model,
      stream,
      wantsUsage: so?.include_usage === true,
      maxTokens: maxTokens === null && maxCompletion === null ? null : Math.max(maxTokens ?? 0, maxCompletion ?? 0),
      prompt: chatPromptParts(body),
    };
  },
};

/** POST /v1/chat/completions */
export function chatCompletions(req: Request, ctx: RelayContext): Promise<Response> {
  return relayRequest(req, ctx, spec);
}
