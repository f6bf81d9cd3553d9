import type { Pricing } from "@/lib/quota/pricing";
import type { Reservation } from "@/lib/quota/reserve";
import type { JsonObject } from "@/lib/http/body";
import type { RelayKey } from "./auth";
import type { PromptParts } from "./tokenizer";

// What the relay knows about one request as it goes: parsed by its endpoint (endpoints.ts),
// priced and reserved (proxy.ts), answered (answer.ts) and metered (metering.ts).

export type ParsedRequest = {
  model: string;
  stream: boolean;
  /** the client asked for the usage chunk (stream_options.include_usage) */
  wantsUsage: boolean;
  maxTokens: number | null;
  prompt: PromptParts;
};

export type EndpointSpec = {
  path: "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings";
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
