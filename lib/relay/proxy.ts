import { pickChannel, routesFor, type RouteChannel } from "@/lib/channels/routing";
import type { Dialect } from "@/lib/channels/schemas";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { readJsonBody, type JsonObject } from "@/lib/http/body";
import type { Options } from "@/lib/options/schemas";
import { getOptions } from "@/lib/options/service";
import { holdLease, releaseLease } from "@/lib/quota/leases";
import { estimateQuota, resolvePricing, type Pricing } from "@/lib/quota/pricing";
import { refundQuietly } from "@/lib/quota/refund";
import { RELAY_OWNER, reserve, trustedWithoutReserve, type Reservation } from "@/lib/quota/reserve";
import { jsonResponse, streamResponse } from "./answer";
import { recordRelayFailure } from "./failures";
import { assertModelAllowed, assertWalletNotEmpty, type RelayKey } from "./auth";
import type { EndpointSpec, Job, ParsedRequest } from "./job";
import type { RelayRequest } from "./mount";
import { getResponseRouteOrThrow } from "./response-routes";
import { countPromptTokens, promptTokenUpperBound } from "./tokenizer";
import { UpstreamFailure, callUpstream, upstreamFailureError } from "./upstream";

// The billed relay of one POST endpoint (endpoints.ts), after withRelayKey checked the key:
//   body → model allowed → a channel exists → price → estimate → reserve (1 DB round trip; none
//   when the reserve would hold nothing, see trustedWithoutReserve) → upstream, retried on other
//   channels → answer (answer.ts) → settle (group-committed after the response, settle-queue.ts).
// Any failure between the reserve and a usable upstream answer refunds the hold. From the reserve
// until its settle or refund has landed, this node renews the reservation's lease; if the node
// dies, the sweeper returns the hold. Framework-free: a Web Request in, a Web Response out.

const NO_CHANNELS: ReadonlySet<number> = new Set();

export async function relayRequest(r: RelayRequest, spec: EndpointSpec): Promise<Response> {
  try {
    return await relay(r, spec);
  } catch (e) {
    throw asClientError(e, r.req.signal);
  }
}

async function relay(r: RelayRequest, spec: EndpointSpec): Promise<Response> {
  const startedAt = performance.now();
  const options = await getOptions();
  const { job, tiers } = await prepareJob(r, spec, options, startedAt);
  return reserveAndAnswer(job, tiers, options, r.req);
}

type PendingJob = Omit<Job, "reservation">;

/** body → model allowed → the channels → price → estimate: everything known before a hold exists */
async function prepareJob(
  { req, requestId, clientIp, auth }: RelayRequest,
  spec: EndpointSpec,
  options: Options,
  startedAt: number,
): Promise<{ job: PendingJob; tiers: Tiers }> {
  const { json, text } = await readJsonBody(req, env().RELAY_MAX_BODY_BYTES);
  const parsed = spec.parse(json);
  assertModelAllowed(auth.key, parsed.model);
  let tiers = await channelTiers(auth, parsed.model, spec.dialect);
  if (parsed.previousResponseId) tiers = await pinnedTiers(tiers, parsed.previousResponseId, auth, parsed.model);
  const pricing = resolvePricing(options, {
    model: parsed.model,
    userGroup: auth.key.user.group,
    usingGroup: auth.usingGroup,
    acceptUnpriced: auth.key.user.acceptUnpricedModels,
  });
  const promptTokens = await promptTokensForEstimate(options, auth, pricing, parsed);
  const estimate = estimateQuota(pricing, {
    promptTokens: promptTokens ?? 0,
    maxTokens: parsed.maxTokens,
    preConsumedTokens: options.PreConsumedQuota,
    toolCalls: parsed.toolCalls,
  });
  const job = { requestId, startedAt, spec, parsed, json, text, auth, pricing, promptTokens, estimate, clientIp };
  return { job: { ...job, signal: req.signal }, tiers };
}

/**
 * reserve (unless trusted) → upstream, retried on other channels → the answer. The hold is
 * refunded on any failure after it exists. The upstream is called only once the reserve has
 * committed: a request the reserve refuses never costs the operator an upstream call.
 */
async function reserveAndAnswer(job: PendingJob, tiers: Tiers, options: Options, req: Request): Promise<Response> {
  const { auth, spec, parsed, estimate, pricing } = job;
  let reservation: Reservation | null = null;
  try {
    const first = pickChannel(tiers, NO_CHANNELS)!;
    const { key } = auth;
    const trusted = trustedWithoutReserve(options, {
      userQuota: key.user.quota,
      tokenRemain: key.remainQuota,
      unlimited: key.unlimitedQuota,
      readAt: key.balancesAt,
      estimate,
      free: pricing.free,
    });
    if (!trusted) reservation = await reserveHold(job, first.id, estimate);
    const answer = await callUpstream({
      path: spec.forwardQuery ? `${spec.path}${new URL(req.url).search}` : spec.path,
      first,
      next: (tried) => pickChannel(tiers, tried),
      retryTimes: options.RetryTimes,
      body: (channel) => upstreamBody(job, channel),
      forwardHeaders: spec.forwardHeaders ? forwardedHeaders(req.headers, spec.forwardHeaders) : undefined,
      stream: parsed.stream,
      clientSignal: req.signal,
      addressPolicy: { allowPrivate: options.ChannelPrivateAddressesAllowed },
      onChannelFailure: (channelId, message) => recordRelayFailure(job, channelId, message),
    });
    const served: Job = { ...job, reservation };
    return answer.kind === "stream" ? streamResponse(served, answer) : await jsonResponse(served, answer);
  } catch (e) {
    if (reservation) await refundHold(reservation, e);
    throw e;
  }
}

/** the channels of the dialect that may serve the model in the key's group, by priority; 503 when none */
async function channelTiers(auth: RelayKey, model: string, dialect: Dialect) {
  const { tiers } = await routesFor(auth.usingGroup, model, dialect);
  if (!tiers.length)
    throw new AppError(
      "model_not_found",
      `No available channel for model ${model} under group ${auth.usingGroup}`,
      503,
    );
  return tiers;
}

type Tiers = Awaited<ReturnType<typeof channelTiers>>;

/**
 * A request that continues a stored response goes to the channel that made it, and only there (no
 * other upstream has that response, so there is nothing to retry on): 404 when the response is
 * not the caller's, 503 when its channel no longer serves the model in this group.
 */
async function pinnedTiers(tiers: Tiers, previousId: string, auth: RelayKey, model: string): Promise<Tiers> {
  const route = await getResponseRouteOrThrow(previousId, auth.key.userId, "previous_response_id");
  for (const tier of tiers) {
    const channel = tier.channels.find((c) => c.id === route.channelId);
    if (channel) return [{ priority: tier.priority, channels: [channel] }];
  }
  throw new AppError(
    "response_channel_unavailable",
    `The channel that made response ${previousId} no longer serves model ${model} under group ${auth.usingGroup}`,
    503,
    undefined,
    "previous_response_id",
  );
}

/** the request headers the endpoint passes on unchanged, those the client sent */
export function forwardedHeaders(headers: Headers, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

/**
 * The prompt's tokens when they can raise the estimate above its floor (else null: not counted).
 * An empty wallet is refused before any counting.
 */
async function promptTokensForEstimate(
  options: Options,
  auth: RelayKey,
  pricing: Pricing,
  parsed: ParsedRequest,
): Promise<number | null> {
  if (pricing.mode !== "ratio" || pricing.free || promptTokenUpperBound(parsed.prompt) <= options.PreConsumedQuota)
    return null;
  await assertWalletNotEmpty(auth.key, options);
  return countPromptTokens(parsed.model, parsed.prompt);
}

/** the reserve of a relay request; its lease is renewed by this node from the moment it exists */
function reserveHold(job: PendingJob, channelId: number, estimate: bigint): Promise<Reservation> {
  const { auth } = job;
  return reserve({
    owner: RELAY_OWNER,
    requestId: job.requestId,
    userId: auth.key.userId,
    tokenId: auth.key.tokenId,
    channelId,
    model: job.parsed.model,
    group: auth.usingGroup,
    estimate,
    pricing: job.pricing,
  }).then((r) => {
    holdLease(RELAY_OWNER, r.reservationId);
    return r;
  });
}

async function refundHold(reservation: Reservation, e: unknown): Promise<void> {
  const reason =
    e instanceof UpstreamFailure
      ? `upstream failed: ${e.describe()}`
      : e instanceof Error
        ? e.message.slice(0, 200)
        : "exception";
  await refundQuietly(RELAY_OWNER, reservation.reservationId, reason);
  releaseLease(reservation.reservationId);
}

/** what the client is told: the upstream's failure without its secrets, or 499 for a client that left */
function asClientError(e: unknown, signal: AbortSignal): unknown {
  if (e instanceof UpstreamFailure) return upstreamFailureError(e);
  // the client went away (e.g. while sending its body): nobody to answer, nothing to log
  if (signal.aborted && !isAppError(e))
    return new AppError("client_closed_request", "The client closed the request", 499);
  return e;
}

/**
 * The body sent to a channel: the mapped model, and for chat and completions streams include_usage
 * turned on; otherwise the client's bytes as they came.
 */
function upstreamBody(
  job: Pick<Job, "parsed" | "json" | "text" | "spec">,
  channel: RouteChannel,
): { text: string; upstreamModel: string } {
  const { model } = job.parsed;
  const stream = job.parsed.stream && job.spec.streamUsageOption === true;
  const upstreamModel = channel.modelMapping[model] ?? model;
  if (upstreamModel === model && !stream) return { text: job.text, upstreamModel };
  const body: JsonObject = { ...job.json, model: upstreamModel };
  if (stream) {
    const so = job.json.stream_options;
    body.stream_options = { ...(so && typeof so === "object" ? so : {}), include_usage: true };
  }
  return { text: JSON.stringify(body), upstreamModel };
}
