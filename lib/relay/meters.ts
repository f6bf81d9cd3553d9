import {
  anthropicEventTexts,
  anthropicTexts,
  anthropicUsage,
  generatedTexts,
  mergeAnthropicUsage,
  parseUsage,
  responsesEventTexts,
  responsesTexts,
  responsesUsage,
  type TokenUsage,
} from "./usage";

// How each API's answers report what was served: the usage of a whole body, and of a stream as its
// events go by (lib/relay/sse.ts hands every event's data to a StreamMeter), plus the generated
// text to count when an upstream never says. Events a meter does not know are passed on and
// ignored: an upstream that adds event types never breaks accounting.
//   chat, completions, embeddings: `usage` in the body, or in the last chunk; the end is [DONE]
//   responses: `usage` (and hosted tool calls) of the response in response.completed (or
//     .incomplete / .failed), or of the body; the id of the response from response.created
//   messages: input classes in message_start, cumulative counts in message_delta; the end is
//     message_stop

export interface StreamMeter {
  /** the usage once the stream reported it in full */
  readonly usage: TokenUsage | null;
  /** what the stream reported before its end (Anthropic's message_start): the input classes */
  readonly partial: TokenUsage | null;
  /** the dialect's end-of-stream event was seen */
  readonly ended: boolean;
  /** the id of the response the stream is making, once known (Responses API) */
  readonly responseId: string | null;
  /** looks at the data of one event; false when it must not be forwarded */
  take(data: string): boolean;
  /** the generated texts of the events' data (for local counting) */
  texts(data: readonly string[]): string[];
}

export type Meter = {
  /** the usage of a non-stream answer's body (parsed JSON), or null */
  bodyUsage(body: unknown): TokenUsage | null;
  /** the generated texts of a non-stream answer's body */
  bodyTexts(body: unknown): string[];
  /** the id a non-stream answer names (Responses API), or null */
  bodyId(body: unknown): string | null;
  /** a meter for one stream; `dropUsageChunk` (chat): leave out the usage-only chunk */
  stream(dropUsageChunk: boolean): StreamMeter;
};

const USAGE_RE = /"usage"\s*:\s*\{/;

function parse(data: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function textsOf(data: readonly string[], each: (obj: unknown, out: string[]) => void): string[] {
  const out: string[] = [];
  for (const d of data) {
    const obj = parse(d);
    if (obj) each(obj, out);
  }
  return out;
}

// ── OpenAI chat, completions, embeddings ─────────────────────────────────────────────────────

class ChatStreamMeter implements StreamMeter {
  usage: TokenUsage | null = null;
  readonly partial = null;
  ended = false;
  readonly responseId = null;

  constructor(private readonly dropUsageChunk: boolean) {}

  take(data: string): boolean {
    if (data.trim() === "[DONE]") {
      this.ended = true;
      return true;
    }
    // events are parsed only when they carry a usage object; the rest lazily, if ever counted
    if (!USAGE_RE.test(data)) return true;
    const obj = parse(data);
    const usage = parseUsage(obj?.usage);
    if (!usage) return true;
    this.usage = usage;
    const usageOnly = Array.isArray(obj!.choices) && (obj!.choices as unknown[]).length === 0;
    return !(usageOnly && this.dropUsageChunk);
  }

  texts(data: readonly string[]): string[] {
    return textsOf(data, generatedTexts);
  }
}

export const chatMeter: Meter = {
  bodyUsage: (body) => parseUsage((body as { usage?: unknown } | null)?.usage),
  bodyTexts: (body) => {
    const out: string[] = [];
    generatedTexts(body, out);
    return out;
  },
  bodyId: () => null,
  stream: (dropUsageChunk) => new ChatStreamMeter(dropUsageChunk),
};

// ── OpenAI Responses ─────────────────────────────────────────────────────────────────────────

const RESPONSE_END_RE = /"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/;
const RESPONSE_CREATED_RE = /"type"\s*:\s*"response\.created"/;

class ResponsesStreamMeter implements StreamMeter {
  usage: TokenUsage | null = null;
  readonly partial = null;
  ended = false;
  responseId: string | null = null;

  take(data: string): boolean {
    if (this.responseId === null && RESPONSE_CREATED_RE.test(data)) {
      this.responseId = idOf((parse(data)?.response as { id?: unknown } | undefined)?.id);
    } else if (RESPONSE_END_RE.test(data)) {
      const obj = parse(data);
      if (obj && typeof obj.type === "string" && RESPONSE_END_RE.test(`"type":"${obj.type}"`)) {
        this.ended = true;
        this.usage = responsesUsage(obj.response) ?? this.usage;
        this.responseId ??= idOf((obj.response as { id?: unknown } | undefined)?.id);
      }
    }
    return true;
  }

  texts(data: readonly string[]): string[] {
    return textsOf(data, responsesEventTexts);
  }
}

const idOf = (v: unknown): string | null => (typeof v === "string" && v.length > 0 && v.length <= 128 ? v : null);

export const responsesMeter: Meter = {
  bodyUsage: responsesUsage,
  bodyTexts: (body) => {
    const out: string[] = [];
    responsesTexts(body, out);
    return out;
  },
  bodyId: (body) => idOf((body as { id?: unknown } | null)?.id),
  stream: () => new ResponsesStreamMeter(),
};

// ── Anthropic Messages ───────────────────────────────────────────────────────────────────────

const MESSAGE_STOP_RE = /"type"\s*:\s*"message_stop"/;

class MessagesStreamMeter implements StreamMeter {
  usage: TokenUsage | null = null;
  partial: TokenUsage | null = null;
  ended = false;
  readonly responseId = null;
  private raw: Record<string, unknown> | null = null;

  take(data: string): boolean {
    if (USAGE_RE.test(data)) {
      const obj = parse(data);
      if (obj?.type === "message_start") {
        this.raw = mergeAnthropicUsage(null, (obj.message as { usage?: unknown } | undefined)?.usage);
        this.partial = anthropicUsage(this.raw);
      } else if (obj?.type === "message_delta") {
        // cumulative: the counts at the end of the message
        this.raw = mergeAnthropicUsage(this.raw, obj.usage);
        this.usage = anthropicUsage(this.raw);
      }
    } else if (MESSAGE_STOP_RE.test(data)) {
      this.ended = true;
    }
    return true;
  }

  texts(data: readonly string[]): string[] {
    return textsOf(data, anthropicEventTexts);
  }
}

export const messagesMeter: Meter = {
  bodyUsage: (body) => anthropicUsage((body as { usage?: unknown } | null)?.usage),
  bodyTexts: (body) => {
    const out: string[] = [];
    anthropicTexts(body, out);
    return out;
  },
  bodyId: () => null,
  stream: () => new MessagesStreamMeter(),
};
