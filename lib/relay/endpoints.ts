import { AppError } from "@/lib/errors";
import type { JsonObject } from "@/lib/http/body";
import { anthropicErrorResponse } from "./errors";
import type { EndpointSpec } from "./job";
import { chatMeter, messagesMeter, responsesMeter } from "./meters";
import { withRelayKey } from "./mount";
import { relayRequest } from "./proxy";
import { chatPromptParts, inputPromptParts, messagesPromptParts, responsesPromptParts } from "./tokenizer";
import type { HostedTool, ToolCalls } from "./usage";
import { invalidType, missing, optionalBoolean, optionalCount, optionalObject, requireModel } from "./validate";

// The billed POST endpoints: what each reads from its body (the rest — unknown fields, input item
// types, tools — is the upstream's business and is passed on untouched), which dialect it speaks
// and how its answers report usage. They differ only in that; the relay (proxy.ts) does the rest.

const chat: EndpointSpec = {
  path: "/v1/chat/completions",
  dialect: "openai",
  meter: chatMeter,
  streamUsageOption: true,
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
  dialect: "openai",
  meter: chatMeter,
  streamUsageOption: true,
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
  dialect: "openai",
  meter: chatMeter,
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

/** the hosted tools a request declares, one call each: what the reserve holds for them */
function declaredTools(tools: unknown, kinds: Readonly<Record<string, HostedTool>>): ToolCalls | undefined {
  if (!Array.isArray(tools)) return undefined;
  const out: ToolCalls = {};
  for (const t of tools) {
    const type = (t as { type?: unknown } | null)?.type;
    if (typeof type !== "string") continue;
    // Anthropic's tool types are versioned: web_search_20250305
    const tool = kinds[type] ?? kinds[type.replace(/_\d{8}$/, "")];
    if (tool) out[tool] = 1;
  }
  return Object.keys(out).length ? out : undefined;
}

const RESPONSES_TOOLS: Record<string, HostedTool> = {
  web_search: "web_search",
  web_search_preview: "web_search",
  file_search: "file_search",
  code_interpreter: "code_interpreter",
  image_generation: "image_generation",
};
const ANTHROPIC_TOOLS: Record<string, HostedTool> = { web_search: "web_search" };

function optionalString(body: JsonObject, name: string, max = 128): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw invalidType(name, "a string");
  if (v.length > max) throw invalidType(name, `at most ${max} characters`);
  return v;
}

/** Responses API input: a string or an array of items (any item type: the upstream's business) */
function responsesInput(body: JsonObject): void {
  const input = body.input;
  if (input !== undefined && input !== null && typeof input !== "string" && !Array.isArray(input))
    throw invalidType("input", "a string or an array of input items");
  if (Array.isArray(input)) {
    for (const it of input) {
      if (!it || typeof it !== "object" || Array.isArray(it)) throw invalidType("input", "an array of input items");
    }
  }
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== "string")
    throw invalidType("instructions", "a string");
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools))
    throw invalidType("tools", "an array");
}

const responses: EndpointSpec = {
  path: "/v1/responses",
  dialect: "openai",
  meter: responsesMeter,
  remembersResponses: true,
  parse(body) {
    const model = requireModel(body);
    responsesInput(body);
    // a background response answers "queued" with no usage and runs on, out of the relay's sight:
    // its tokens could not be billed, so it is refused rather than served free
    if (optionalBoolean(body, "background")) {
      throw new AppError(
        "unsupported_parameter",
        "background responses are not supported: their usage cannot be billed",
        400,
        undefined,
        "background",
      );
    }
    return {
      model,
      stream: optionalBoolean(body, "stream"),
      wantsUsage: true,
      maxTokens: optionalCount(body, "max_output_tokens"),
      prompt: responsesPromptParts(body),
      toolCalls: declaredTools(body.tools, RESPONSES_TOOLS),
      previousResponseId: optionalString(body, "previous_response_id"),
    };
  },
};

/** POST /v1/responses/compact: a compaction of a conversation, answered whole (never streamed) */
const responsesCompact: EndpointSpec = {
  path: "/v1/responses/compact",
  dialect: "openai",
  meter: responsesMeter,
  parse(body) {
    const model = requireModel(body);
    responsesInput(body);
    return {
      model,
      stream: false,
      wantsUsage: true,
      maxTokens: null,
      prompt: responsesPromptParts(body),
      previousResponseId: optionalString(body, "previous_response_id"),
    };
  },
};

const messages: EndpointSpec = {
  path: "/v1/messages",
  dialect: "anthropic",
  meter: messagesMeter,
  forwardHeaders: ["anthropic-version", "anthropic-beta"],
  forwardQuery: true,
  parse(body) {
    const model = requireModel(body);
    messagesShape(body);
    const maxTokens = optionalCount(body, "max_tokens");
    if (maxTokens === null) throw missing("max_tokens");
    return {
      model,
      stream: optionalBoolean(body, "stream"),
      wantsUsage: true,
      maxTokens,
      prompt: messagesPromptParts(body),
      toolCalls: declaredTools(body.tools, ANTHROPIC_TOOLS),
    };
  },
};

/** what Anthropic requires of a Messages body (count_tokens too): messages, typed system and tools */
export function messagesShape(body: JsonObject): void {
  if (body.messages === undefined || body.messages === null) throw missing("messages");
  if (!Array.isArray(body.messages)) throw invalidType("messages", "an array of messages");
  for (const m of body.messages) {
    if (!m || typeof m !== "object" || Array.isArray(m)) throw invalidType("messages", "an array of message objects");
  }
  const system = body.system;
  if (system !== undefined && system !== null && typeof system !== "string" && !Array.isArray(system))
    throw invalidType("system", "a string or an array of text blocks");
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools))
    throw invalidType("tools", "an array");
}

const endpoint = (spec: EndpointSpec) =>
  withRelayKey(
    {
      path: spec.path,
      method: "POST",
      ...(spec.dialect === "anthropic" ? { writeError: anthropicErrorResponse } : {}),
    },
    (r) => relayRequest(r, spec),
  );

/** POST /v1/chat/completions */
export const chatCompletions = endpoint(chat);
/** POST /v1/completions (legacy) */
export const completions = endpoint(legacyCompletions);
/** POST /v1/embeddings (float or base64 vectors are passed through untouched) */
export const embeddings = endpoint(embedding);
/** POST /v1/responses (OpenAI Responses API, stream or not) */
export const responsesCreate = endpoint(responses);
/** POST /v1/responses/compact */
export const responsesCompactCreate = endpoint(responsesCompact);
/** POST /v1/messages (Anthropic Messages API, stream or not) */
export const messagesCreate = endpoint(messages);
