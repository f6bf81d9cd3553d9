import { Worker } from "node:worker_threads";
import { nextRuntime } from "@/lib/env";
import { MAX_JSON_DEPTH } from "@/lib/http/body";
import { AppError } from "@/lib/errors";
import { countTokens, estimateTokens, loadCounter, type EncodingName } from "./token-count";

// Local token counting, for the pre-charge estimate and for answers whose upstream sent no usage.
// No count may hold up the event loop (health checks, every other request):
//   - the counter itself is linear in the text (token-count.ts: long runs cost no more than prose);
//   - up to INLINE_MAX_CHARS in all it runs in place (a few milliseconds at most);
//   - up to EXACT_MAX_CHARS it runs in one worker thread (token-worker.ts), off the event loop;
//   - beyond that, or when the worker is unavailable or has a backlog, the texts are estimated
//     from their size (one token per 3 bytes), which is linear and native.
// Encoders are built on first use (or at server start, warmTokenizers) in each thread, one per
// encoding, shared by all requests.

export type { EncodingName } from "./token-count";

const INLINE_MAX_CHARS = 8 * 1024;
const EXACT_MAX_CHARS = 1_000_000;
/** characters waiting in the worker beyond which further texts are estimated rather than queued */
const WORKER_BACKLOG_MAX_CHARS = 4_000_000;
/** after the worker failed to start or died, how long texts are estimated before it is tried again */
const WORKER_RETRY_MS = 60_000;

const g = globalThis as unknown as { tollgateCountWorker?: CountWorker };

export function encodingForModel(model: string): EncodingName {
  const m = model.toLowerCase().replace(/^[^/]+\//, "");
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d)/.test(m)) return "o200k_base";
  return "cl100k_base";
}

/** Builds the encoders ahead of time (server start), so no request pays for it. */
export async function warmTokenizers(): Promise<void> {
  await Promise.all([loadCounter("o200k_base"), loadCounter("cl100k_base")]);
}

export async function countTextTokens(model: string, text: string): Promise<number> {
  return countTexts(model, [text]);
}

/** Tokens of many texts: in place, in the worker or estimated, by their total size (see above). */
export async function countTexts(model: string, texts: readonly string[]): Promise<number> {
  let chars = 0;
  for (const t of texts) chars += t.length;
  if (chars === 0) return 0;
  if (chars > EXACT_MAX_CHARS) return estimateTexts(texts);
  const encoding = encodingForModel(model);
  if (chars <= INLINE_MAX_CHARS) {
    const counter = await loadCounter(encoding);
    let total = 0;
    for (const t of texts) total += countTokens(counter, t);
    return total;
  }
  const worker = countWorker();
  if (!worker || worker.backlogChars + chars > WORKER_BACKLOG_MAX_CHARS) return estimateTexts(texts);
  try {
    return await worker.count(encoding, texts, chars);
  } catch (e) {
    console.error("token counting worker failed; the texts are estimated", e);
    return estimateTexts(texts);
  }
}

function estimateTexts(texts: readonly string[]): number {
  let total = 0;
  for (const t of texts) total += estimateTokens(t);
  return total;
}

// ── the counting worker ────────────────────────────────────────────────────────────────────────

type CountReply = { id: number; tokens: number } | { id: number; error: string };

class CountWorker {
  backlogChars = 0;
  private nextId = 1;
  private pending = new Map<number, { chars: number; resolve: (n: number) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly worker: Worker,
    private readonly onGone: () => void,
  ) {
    worker.unref();
    worker.on("message", (reply: CountReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.settle(reply.id);
      if ("error" in reply) p.reject(new Error(reply.error));
      else p.resolve(reply.tokens);
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(new Error(`token counting worker exited with ${code}`)));
  }

  count(encoding: EncodingName, texts: readonly string[], chars: number): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { chars, resolve, reject });
      this.backlogChars += chars;
      // keep the process alive only while a count is outstanding
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, encoding, texts });
    });
  }

  private settle(id: number) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.backlogChars -= p.chars;
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(e: Error) {
    this.onGone();
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(e);
    }
    void this.worker.terminate().catch(() => {});
  }
}

let workerFailedAt = 0;

function countWorker(): CountWorker | null {
  if (g.tollgateCountWorker) return g.tollgateCountWorker;
  if (Date.now() - workerFailedAt < WORKER_RETRY_MS) return null;
  try {
    const worker = nextRuntime()
      ? // in Next the bundler compiles the worker (it recognises this exact form)
        new Worker(new URL("./token-worker.ts", import.meta.url))
      : // run from source (vitest, tsx scripts): the worker is TypeScript and needs tsx's loader
        new Worker(
          `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url.replace(/[^/]+$/, "token-worker.ts"))}); })`,
          { eval: true },
        );
    const cw = new CountWorker(worker, () => {
      workerFailedAt = Date.now();
      if (g.tollgateCountWorker === cw) g.tollgateCountWorker = undefined;
    });
    g.tollgateCountWorker = cw;
    return cw;
  } catch (e) {
    console.error("token counting worker could not start; long texts are estimated", e);
    workerFailedAt = Date.now();
    return null;
  }
}

// ── prompts ────────────────────────────────────────────────────────────────────────────────────
// The texts of a prompt plus a fixed overhead, following OpenAI's cookbook for chat messages
// (3 tokens per message, 1 per name, 3 to prime the reply). Images count IMAGE_TOKENS each: an
// estimate only (the upstream's usage, when it sends one, is what is billed).

const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
const IMAGE_TOKENS = 85;

export type PromptParts = {
  texts: string[];
  overhead: number;
  /** images and documents in `overhead` at a fixed size (Responses and Messages): an estimate, marked in the log */
  estimatedBlocks?: number;
};

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

/**
 * Texts of a completions prompt or an embeddings input; arrays of token ids count as overhead.
 * Walked with a stack, not recursion, and refused (400) below MAX_JSON_DEPTH levels.
 */
export function inputPromptParts(input: unknown, param: string): PromptParts {
  const texts: string[] = [];
  let overhead = 0;
  // depth-first, left to right: the texts keep their order
  const values: unknown[] = [input];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === "string") texts.push(v);
    else if (typeof v === "number") overhead += 1;
    else if (Array.isArray(v)) {
      if (depth > MAX_JSON_DEPTH) {
        throw new AppError(
          "nesting_too_deep",
          `${param} nests arrays deeper than ${MAX_JSON_DEPTH} levels`,
          400,
          undefined,
          param,
        );
      }
      for (let i = v.length - 1; i >= 0; i--) {
        values.push(v[i]);
        depths.push(depth + 1);
      }
    }
  }
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

// Responses API and Anthropic Messages prompts. Neither provider publishes a way to count a whole
// request locally, so these are estimates: every text the request carries (instructions, system
// prompts, message and tool-result text, tool call arguments, tool definitions) counted with the
// model's encoding, the chat overhead per item, and images and documents at a fixed size —
// Anthropic documents an image as about width × height / 750 tokens, at most about 1,600 for the
// largest it accepts unresized; OpenAI a high-detail 1024 × 1024 image as 765. A request that
// continues a stored conversation (previous_response_id) is estimated on what it sends. The
// upstream's usage, when it reports one, is what is billed.

const RESPONSES_IMAGE_TOKENS = 765;
const ANTHROPIC_IMAGE_TOKENS = 1600;
/** a PDF or other document block: a page or two of text */
const DOCUMENT_TOKENS = 1600;

/** the texts of a content value: a string, or blocks with text (nested tool results too) */
function contentTexts(content: unknown, parts: PromptParts, imageTokens: number, depth = 0): void {
  if (typeof content === "string") {
    parts.texts.push(content);
    return;
  }
  if (!Array.isArray(content) || depth > 4) return;
  for (const b of content) {
    if (!b || typeof b !== "object") continue;
    const block = b as Record<string, unknown>;
    const type = typeof block.type === "string" ? block.type : "";
    if (type === "image" || type === "input_image" || type === "image_url") {
      parts.overhead += imageTokens;
      parts.estimatedBlocks = (parts.estimatedBlocks ?? 0) + 1;
    } else if (type === "document" || type === "input_file") {
      parts.overhead += DOCUMENT_TOKENS;
      parts.estimatedBlocks = (parts.estimatedBlocks ?? 0) + 1;
    }
    for (const k of ["text", "thinking", "refusal", "arguments", "output"] as const) {
      if (typeof block[k] === "string") parts.texts.push(block[k]);
    }
    if ((type === "tool_use" || type === "server_tool_use") && block.input !== undefined)
      parts.texts.push(JSON.stringify(block.input));
    if (Array.isArray(block.content) || typeof block.content === "string")
      contentTexts(block.content, parts, imageTokens, depth + 1);
    if (Array.isArray(block.summary)) contentTexts(block.summary, parts, imageTokens, depth + 1);
    if (Array.isArray(block.output)) contentTexts(block.output, parts, imageTokens, depth + 1);
  }
}

/** Texts and overhead of a Responses API request (instructions, input items, tools). */
export function responsesPromptParts(body: Record<string, unknown>): PromptParts {
  const parts: PromptParts = { texts: [], overhead: REPLY_PRIMING };
  if (typeof body.instructions === "string") parts.texts.push(body.instructions);
  const input = body.input;
  if (typeof input === "string") {
    parts.overhead += PER_MESSAGE;
    parts.texts.push(input);
  } else if (Array.isArray(input)) {
    parts.overhead += PER_MESSAGE * input.length;
    // an input item is a message ({role, content}) or an item such as a function call or its output
    contentTexts(input, parts, RESPONSES_IMAGE_TOKENS);
  }
  if (Array.isArray(body.tools) && body.tools.length) parts.texts.push(JSON.stringify(body.tools));
  return parts;
}

/** Texts and overhead of an Anthropic Messages request (system, messages, tools). */
export function messagesPromptParts(body: Record<string, unknown>): PromptParts {
  const parts: PromptParts = { texts: [], overhead: REPLY_PRIMING };
  contentTexts(body.system, parts, ANTHROPIC_IMAGE_TOKENS);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    parts.overhead += PER_MESSAGE;
    if (m && typeof m === "object") contentTexts((m as { content?: unknown }).content, parts, ANTHROPIC_IMAGE_TOKENS);
  }
  if (Array.isArray(body.tools) && body.tools.length) parts.texts.push(JSON.stringify(body.tools));
  return parts;
}
