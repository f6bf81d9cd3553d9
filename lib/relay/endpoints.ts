import type { JsonObject } from "@/lib/http/body";
import type { EndpointSpec } from "./job";
import { withRelayKey } from "./mount";
import { relayRequest } from "./proxy";
import { chatPromptParts, inputPromptParts } from "./tokenizer";
import { invalidType, missing, optionalBoolean, optionalCount, optionalObject, requireModel } from "./validate";

// The billed POST endpoints: what each reads from its body (the rest is the upstream's business).
// They differ only in that; the relay (proxy.ts) does the rest.

const chat: EndpointSpec = {
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
    const so = streamOptions(body);
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

const legacyCompletions: EndpointSpec = {
  path: "/v1/completions",
  parse(body) {
    const model = requireModel(body);
    const p = body.prompt;
    if (p !== undefined && p !== null && typeof p !== "string" && !Array.isArray(p))
      throw invalidType("prompt", "a string or an array");
    return {
      model,
      stream: optionalBoolean(body, "stream"),
      wantsUsage: streamOptions(body)?.include_usage === true,
      maxTokens: optionalCount(body, "max_tokens"),
      prompt: inputPromptParts(p ?? "", "prompt"),
    };
  },
};

const embedding: EndpointSpec = {
  path: "/v1/embeddings",
  parse(body) {
    const model = requireModel(body);
    const input = body.input;
    if (input === undefined || input === null) throw missing("input");
    if (typeof input !== "string" && !Array.isArray(input)) throw invalidType("input", "a string or an array");
    if (Array.isArray(input) && input.length === 0) throw invalidType("input", "a non-empty array");
    const fmt = body.encoding_format;
    if (fmt !== undefined && fmt !== null && fmt !== "float" && fmt !== "base64")
      throw invalidType("encoding_format", `"float" or "base64"`);
    // embeddings never stream; a stream flag is passed on and ignored like upstreams do
    return { model, stream: false, wantsUsage: false, maxTokens: null, prompt: inputPromptParts(input, "input") };
  },
};

function streamOptions(body: JsonObject): JsonObject | null {
  const so = optionalObject(body, "stream_options");
  if (so && so.include_usage !== undefined && so.include_usage !== null && typeof so.include_usage !== "boolean") {
    throw invalidType("stream_options.include_usage", "a boolean");
  }
  return so;
}

const endpoint = (spec: EndpointSpec) =>
  withRelayKey({ path: spec.path, method: "POST" }, (r) => relayRequest(r, spec));

/** POST /v1/chat/completions */
export const chatCompletions = endpoint(chat);
/** POST /v1/completions (legacy) */
export const completions = endpoint(legacyCompletions);
/** POST /v1/embeddings (float or base64 vectors are passed through untouched) */
export const embeddings = endpoint(embedding);
