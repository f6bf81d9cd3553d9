// Reading token usage out of upstream answers (OpenAI shapes; the Responses-style names
// input_tokens/output_tokens are accepted too).

export type TokenUsage = { promptTokens: number; completionTokens: number; cachedTokens: number };

const count = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;

/** the `usage` object of a response or chunk, or null when it carries no usable numbers */
export function parseUsage(usage: unknown): TokenUsage | null {
  if (!usage || typeof usage !== "object") return null;
  const u = usage as Record<string, unknown>;
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  let completion = count(u.completion_tokens) ?? count(u.output_tokens);
  const total = count(u.total_tokens);
  if (prompt === null && completion === null && total === null) return null;
  // embeddings report prompt and total only
  if (completion === null) completion = total !== null && prompt !== null ? Math.max(total - prompt, 0) : 0;
  const details = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | null | undefined;
  const cached = count(details?.cached_tokens) ?? 0;
  const promptTokens = prompt ?? (total !== null ? Math.max(total - completion, 0) : 0);
  return { promptTokens, completionTokens: completion, cachedTokens: Math.min(cached, promptTokens) };
}

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
