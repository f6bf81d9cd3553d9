// The one usage normaliser: every dialect's usage (chat, completions, embeddings, responses,
// messages) becomes one record, TokenUsage, with the token classes that are priced apart.
//
// Input is INCLUSIVE in the record: promptTokens is every input token the model read, and the
// cache reads and cache writes are parts of it. OpenAI reports it that way (prompt_tokens and
// input_tokens include cached_tokens); Anthropic reports input_tokens EXCLUSIVE of
// cache_read_input_tokens and cache_creation_input_tokens. anthropicUsage is the only place that
// converts, so pricing (lib/quota/pricing.ts computeQuota) reads one semantic: the uncached,
// unwritten input is promptTokens − cached − writes, whatever the upstream spoke. Output is
// inclusive too: reasoning tokens are part of completionTokens (both APIs report them so), kept
// apart only to be shown.

/** hosted tools billed per call, by the name their price has in the ToolCallPrice option */
export const HOSTED_TOOLS = ["web_search", "file_search", "code_interpreter", "image_generation"] as const;
export type HostedTool = (typeof HOSTED_TOOLS)[number];
export type ToolCalls = Partial<Record<HostedTool, number>>;

export type TokenUsage = {
  /** every input token, cache reads and writes included */
  promptTokens: number;
  /** every output token, reasoning included */
  completionTokens: number;
  /** input read from the prompt cache (part of promptTokens) */
  cachedTokens: number;
  /** input written to a 5-minute cache (part of promptTokens); absent when 0 */
  cacheWrite5mTokens?: number;
  /** input written to a 1-hour cache (part of promptTokens); absent when 0 */
  cacheWrite1hTokens?: number;
  /** reasoning (thinking) output (part of completionTokens); absent when 0 */
  reasoningTokens?: number;
  /** hosted tool calls the upstream ran; absent when none */
  toolCalls?: ToolCalls;
};

const count = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;

const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** drops the optional classes that are 0, so a record says only what the upstream reported */
function tidy(u: TokenUsage): TokenUsage {
  const out: TokenUsage = {
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    cachedTokens: u.cachedTokens,
  };
  if (u.cacheWrite5mTokens) out.cacheWrite5mTokens = u.cacheWrite5mTokens;
  if (u.cacheWrite1hTokens) out.cacheWrite1hTokens = u.cacheWrite1hTokens;
  if (u.reasoningTokens) out.reasoningTokens = u.reasoningTokens;
  const tools = Object.entries(u.toolCalls ?? {}).filter(([, n]) => n && n > 0);
  if (tools.length) out.toolCalls = Object.fromEntries(tools) as ToolCalls;
  return out;
}

/**
 * An OpenAI `usage` object (chat and completions: prompt_tokens/completion_tokens; embeddings:
 * prompt and total only; Responses: input_tokens/output_tokens with their _details), or null when
 * it carries no usable numbers. Inclusive already: cached_tokens is part of the input.
 */
export function parseUsage(usage: unknown): TokenUsage | null {
  const u = obj(usage);
  if (!u) return null;
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  let completion = count(u.completion_tokens) ?? count(u.output_tokens);
  const total = count(u.total_tokens);
  if (prompt === null && completion === null && total === null) return null;
  // embeddings report prompt and total only
  if (completion === null) completion = total !== null && prompt !== null ? Math.max(total - prompt, 0) : 0;
  const inDetails = obj(u.prompt_tokens_details) ?? obj(u.input_tokens_details);
  const outDetails = obj(u.completion_tokens_details) ?? obj(u.output_tokens_details);
  const promptTokens = prompt ?? (total !== null ? Math.max(total - completion, 0) : 0);
  const cached = count(inDetails?.cached_tokens) ?? 0;
  const reasoning = count(outDetails?.reasoning_tokens) ?? 0;
  return tidy({
    promptTokens,
    completionTokens: completion,
    cachedTokens: Math.min(cached, promptTokens),
    reasoningTokens: Math.min(reasoning, completion),
  });
}

/** the hosted tool each Responses output item type is a call of */
const RESPONSES_TOOL_ITEMS: Record<string, HostedTool> = {
  web_search_call: "web_search",
  file_search_call: "file_search",
  code_interpreter_call: "code_interpreter",
  image_generation_call: "image_generation",
};

/**
 * The usage of a Responses API response object (a non-stream body, or the `response` of a
 * response.completed / response.incomplete / response.failed event): its usage, plus one hosted
 * tool call per tool call item of its output (OpenAI bills those per call, apart from tokens).
 */
export function responsesUsage(response: unknown): TokenUsage | null {
  const r = obj(response);
  if (!r) return null;
  const usage = parseUsage(r.usage);
  if (!usage) return null;
  const toolCalls: ToolCalls = {};
  if (Array.isArray(r.output)) {
    for (const item of r.output) {
      const tool = RESPONSES_TOOL_ITEMS[String(obj(item)?.type)];
      if (tool) toolCalls[tool] = (toolCalls[tool] ?? 0) + 1;
    }
  }
  return tidy({ ...usage, toolCalls });
}

/**
 * An Anthropic `usage` object (a Messages body, message_start's message.usage, or the cumulative
 * usage of message_delta merged over it), or null when it has no token counts. Anthropic's
 * input_tokens EXCLUDE cache reads and writes: here they are added back (the one place the two
 * semantics meet). The write is split by TTL when `cache_creation` says how; what it does not
 * place is a 5-minute write (the default TTL).
 */
export function anthropicUsage(usage: unknown): TokenUsage | null {
  const u = obj(usage);
  if (!u) return null;
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === null && output === null) return null;
  const cacheRead = count(u.cache_read_input_tokens) ?? 0;
  const written = count(u.cache_creation_input_tokens) ?? 0;
  const split = obj(u.cache_creation);
  const w1h = count(split?.ephemeral_1h_input_tokens) ?? 0;
  const w5mSplit = count(split?.ephemeral_5m_input_tokens) ?? 0;
  // the total written is the larger of the reported total and the sum of its parts
  const writes = Math.max(written, w5mSplit + w1h);
  const w5m = writes - w1h;
  const webSearch = count(obj(u.server_tool_use)?.web_search_requests) ?? 0;
  return tidy({
    promptTokens: (input ?? 0) + cacheRead + writes,
    completionTokens: output ?? 0,
    cachedTokens: cacheRead,
    cacheWrite5mTokens: w5m,
    cacheWrite1hTokens: w1h,
    toolCalls: { web_search: webSearch },
  });
}

/**
 * message_delta's usage over message_start's: a field the later event reports replaces the earlier
 * one (Anthropic's counts in message_delta are cumulative), the others stay.
 */
export function mergeAnthropicUsage(
  earlier: Record<string, unknown> | null,
  later: unknown,
): Record<string, unknown> | null {
  const l = obj(later);
  if (!l) return earlier;
  const out: Record<string, unknown> = { ...(earlier ?? {}) };
  for (const [k, v] of Object.entries(l)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** the uncached, unwritten input of a record: what is priced at the plain input price */
export function uncachedInput(
  u: Pick<TokenUsage, "promptTokens" | "cachedTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens">,
) {
  return Math.max(u.promptTokens - u.cachedTokens - (u.cacheWrite5mTokens ?? 0) - (u.cacheWrite1hTokens ?? 0), 0);
}

// ── generated text, for counting when the upstream sent no usage ────────────────────────────────

/** The generated text of a chat/completions chunk or response (content, reasoning, tool calls). */
export function generatedTexts(obj: unknown, out: string[]): void {
  if (!obj || typeof obj !== "object") return;
  const choices = (obj as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return;
  for (const c of choices) {
    if (!c || typeof c !== "object") continue;
    const choice = c as Record<string, unknown>;
    if (typeof choice.text === "string") out.push(choice.text);
    for (const m of [choice.delta, choice.message]) {
      if (!m || typeof m !== "object") continue;
      const msg = m as Record<string, unknown>;
      if (typeof msg.content === "string") out.push(msg.content);
      if (typeof msg.reasoning_content === "string") out.push(msg.reasoning_content);
      else if (typeof msg.reasoning === "string") out.push(msg.reasoning);
      if (typeof msg.refusal === "string") out.push(msg.refusal);
      if (Array.isArray(msg.tool_calls)) {
        for (const t of msg.tool_calls) {
          const fn = (t as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
          if (typeof fn?.name === "string") out.push(fn.name);
          if (typeof fn?.arguments === "string") out.push(fn.arguments);
        }
      }
      const fc = msg.function_call as { name?: unknown; arguments?: unknown } | undefined;
      if (typeof fc?.name === "string") out.push(fc.name);
      if (typeof fc?.arguments === "string") out.push(fc.arguments);
    }
  }
}

/** The generated text of a Responses response object (output messages, reasoning, tool calls). */
export function responsesTexts(response: unknown, out: string[]): void {
  const r = obj(response);
  if (!r || !Array.isArray(r.output)) return;
  for (const it of r.output) {
    const item = obj(it);
    if (!item) continue;
    if (Array.isArray(item.content)) {
      for (const part of item.content) {
        const p = obj(part);
        if (typeof p?.text === "string") out.push(p.text);
        else if (typeof p?.refusal === "string") out.push(p.refusal);
      }
    }
    if (Array.isArray(item.summary))
      for (const s of item.summary) if (typeof obj(s)?.text === "string") out.push(obj(s)!.text as string);
    for (const k of ["name", "arguments", "input", "code"] as const) if (typeof item[k] === "string") out.push(item[k]);
  }
}

/** The text of one Responses stream event that carries generated output (its delta). */
export function responsesEventTexts(event: unknown, out: string[]): void {
  const e = obj(event);
  if (!e || typeof e.type !== "string" || typeof e.delta !== "string") return;
  // output_text, refusal, reasoning_text, reasoning_summary_text, function_call_arguments,
  // custom_tool_call_input, code_interpreter_call_code … — every *.delta is generated output
  if (e.type.endsWith(".delta")) out.push(e.delta);
}

/** The generated text of an Anthropic message (text, thinking, tool inputs). */
export function anthropicTexts(message: unknown, out: string[]): void {
  const m = obj(message);
  if (!m || !Array.isArray(m.content)) return;
  for (const b of m.content) {
    const block = obj(b);
    if (!block) continue;
    if (typeof block.text === "string") out.push(block.text);
    if (typeof block.thinking === "string") out.push(block.thinking);
    if (block.type === "tool_use" || block.type === "server_tool_use") {
      if (typeof block.name === "string") out.push(block.name);
      if (block.input !== undefined) out.push(JSON.stringify(block.input));
    }
  }
}

/** The text of one Anthropic stream event that carries generated output (content_block_delta). */
export function anthropicEventTexts(event: unknown, out: string[]): void {
  const e = obj(event);
  if (!e || e.type !== "content_block_delta") return;
  const d = obj(e.delta);
  if (!d) return;
  for (const k of ["text", "thinking", "partial_json"] as const) if (typeof d[k] === "string") out.push(d[k]);
}
