import type { Dialect } from "@/lib/channels/schemas";
import type { Pricing } from "@/lib/quota/pricing";
import type { Reservation } from "@/lib/quota/reserve";
import type { JsonObject } from "@/lib/http/body";
import type { RelayKey } from "./auth";
import type { Meter } from "./meters";
import type { PromptParts } from "./tokenizer";
import type { ToolCalls } from "./usage";

// What the relay knows about one request as it goes: parsed by its endpoint (endpoints.ts),
// priced and reserved (proxy.ts), answered (answer.ts) and metered (metering.ts).

export type ParsedRequest = {
  model: string;
  stream: boolean;
  /** the client asked for the usage chunk (stream_options.include_usage) */
  wantsUsage: boolean;
  maxTokens: number | null;
  prompt: PromptParts;
  /** hosted tool calls the request may make (one per hosted tool it declares), held by the reserve */
  toolCalls?: ToolCalls;
  /** Responses API: the response this one continues (routed to the channel that made it) */
  previousResponseId?: string | null;
};

export type EndpointSpec = {
  path:
    | "/v1/chat/completions"
    | "/v1/completions"
    | "/v1/embeddings"
    | "/v1/responses"
    | "/v1/responses/compact"
    | "/v1/messages";
  /** the API it speaks: routed only to channels of this dialect, errors in its shape */
  dialect: Dialect;
  /** how its answers report usage (lib/relay/meters.ts) */
  meter: Meter;
  /** streams are asked for stream_options.include_usage (chat and completions only) */
  streamUsageOption?: boolean;
  /** the request's query string is passed on (Claude Code calls /v1/messages?beta=true) */
  forwardQuery?: boolean;
  /** request headers passed on to the upstream unchanged (Anthropic's version and beta flags) */
  forwardHeaders?: readonly string[];
  /** the ids of its answers are remembered with their channel (Responses API) */
  remembersResponses?: boolean;
  parse(body: JsonObject): ParsedRequest;
};

export type Job = {
  requestId: string;
  startedAt: number;
  spec: EndpointSpec;
  parsed: ParsedRequest;
  json: JsonObject;
  text: string;
  auth: RelayKey;
  pricing: Pricing;
  promptTokens: number | null;
  /** the quota the request was estimated at (held, unless trusted) */
  estimate: bigint;
  /** null when served without a reserve (trust mode, lib/quota/reserve.ts trustedWithoutReserve) */
  reservation: Reservation | null;
  clientIp: string;
  signal: AbortSignal;
};
