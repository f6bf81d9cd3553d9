import type { Tiktoken } from "js-tiktoken/lite";

// Local token counting (js-tiktoken), for the pre-charge estimate and for streams whose upstream
// sent no usage. Encoders are loaded on first use only (building o200k_base takes ~0.5 s of CPU),
// one per encoding, shared by all requests. Texts beyond PRECISE_LIMIT characters are estimated at
// one token per 3 bytes instead of encoded: exactness there is not worth seconds of CPU.

export type EncodingName = "o200k_base" | "cl100k_base";

const PRECISE_LIMIT = 1_000_000;

const g = globalThis as unknown as { tollgateEncoders?: Map<EncodingName, Promise<Tiktoken>> };
const encoders = (g.tollgateEncoders ??= new Map());

export function encodingForModel(model: string): EncodingName {
  const m = model.toLowerCase().replace(/^[^/]+\//, "");
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d)/.test(m)) return "o200k_base";
  return "cl100k_base";
}

function loadEncoder(name: EncodingName): Promise<Tiktoken> {
  let p = encoders.get(name);
  if (!p) {
    p = (async () => {
      const { Tiktoken } = await import("js-tiktoken/lite");
      const ranks =
        name === "o200k_base"
          ? (await import("js-tiktoken/ranks/o200k_base")).default
          : (await import("js-tiktoken/ranks/cl100k_base")).default;
      return new Tiktoken(ranks);
    })();
    p.catch(() => encoders.delete(name));
    encoders.set(name, p);
  }
  return p;
}

/** Builds the encoders ahead of time (server start), so no request pays for it. */
export async function warmTokenizers(): Promise<void> {
  await Promise.all([loadEncoder("o200k_base"), loadEncoder("cl100k_base")]);
}

export async function countTextTokens(model: string, text: string): Promise<number> {
  if (text.length === 0) return 0;
  if (text.length > PRECISE_LIMIT) return Math.ceil(Buffer.byteLength(text, "utf8") / 3);
  const enc = await loadEncoder(encodingForModel(model));
  return enc.encode(text, "all").length;
}

/** Tokens of many texts with one encoder lookup. */
export async function countTexts(model: string, texts: readonly string[]): Promise<number> {
  let total = 0;
  for (const t of texts) total += await countTextTokens(model, t);
  return total;
}

// ── prompts ────────────────────────────────────────────────────────────────────────────────────
// The texts of a prompt plus a fixed overhead, following OpenAI's cookbook for chat messages
// (3 tokens per message, 1 per name, 3 to prime the reply). Images count IMAGE_TOKENS each: an
// estimate only (the upstream's usage, when it sends one, is what is billed).

const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
const IMAGE_TOKENS = 85;

export type PromptParts = { texts: string[]; overhead: number };

/** Texts and fixed overhead of a chat request (messages, tools). */
export function chatPromptParts(body: Record<string, unknown>): PromptParts {
  const texts: string[] = [];
  let overhead = REPLY_PRIMING;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    overhead += PER_MESSAGE;
    if (!m || typeof m !== "object") continue;
    const msg = m as Record<string, unknown>;
    if (typeof msg.role === "string") texts.push(msg.role);
    if (typeof msg.name === "string") {
      texts.push(msg.name);
      overhead += PER_NAME;
    }
    const content = msg.content;
    if (typeof content === "string") texts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (!part || typeof part !== "object") continue;
        const p = part as Record<string, unknown>;
        if (typeof p.text === "string") texts.push(p.text);
        else if (p.type === "image_url" || p.type === "input_image" || p.type === "image") overhead += IMAGE_TOKENS;
      }
    }
    if (Array.isArray(msg.tool_calls)) texts.push(JSON.stringify(msg.tool_calls));
  }
  if (Array.isArray(body.tools) && body.tools.length) texts.push(JSON.stringify(body.tools));
  if (Array.isArray(body.functions) && body.functions.length) texts.push(JSON.stringify(body.functions));
  return { texts, overhead };
}

/** Texts of a completions prompt or an embeddings input; arrays of token ids count as overhead. */
export function inputPromptParts(input: unknown): PromptParts {
  const texts: string[] = [];
  let overhead = 0;
  const visit = (v: unknown) => {
    if (typeof v === "string") texts.push(v);
    else if (typeof v === "number") overhead += 1;
    else if (Array.isArray(v)) v.forEach(visit);
  };
  visit(input);
  return { texts, overhead };
}

/**
 * An upper bound of the prompt's tokens without encoding anything: a BPE token is at least one
 * byte, so tokens ≤ UTF-8 bytes + overhead. When this is below the estimate's floor
 * (PreConsumedQuota) the exact count cannot change the pre-charge and is skipped.
 */
export function promptTokenUpperBound(parts: PromptParts): number {
  let bytes = parts.overhead;
  for (const t of parts.texts) bytes += Buffer.byteLength(t, "utf8");
  return bytes;
}

export async function countPromptTokens(model: string, parts: PromptParts): Promise<number> {
  return parts.overhead + (await countTexts(model, parts.texts));
}
