import { pickChannel, routesFor, type RouteChannel } from "@/lib/channels/routing";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { computeQuota, estimateQuota, pricingLogFields, resolvePricing, type Pricing } from "@/lib/quota/pricing";
import { holdLease, releaseLease } from "@/lib/quota/leases";
import { refundQuietly } from "@/lib/quota/refund";
import { RELAY_OWNER, reserve, type Reservation } from "@/lib/quota/reserve";
import type { SettleInput, UsageSource } from "@/lib/quota/settle";
import { canDefer, scheduleSettle } from "@/lib/quota/settle-queue";
import { assertModelAllowed, assertWalletNotEmpty, authenticateKey, type RelayKey } from "./auth";
import { readJsonObject, type JsonObject } from "./body";
import { RelayError, toErrorResponse } from "./errors";
import { newRequestId } from "./ids";
import { reserveLikely } from "./speculation";
import { SseRelay } from "./sse";
import { countPromptTokens, countTexts, promptTokenUpperBound, type PromptParts } from "./tokenizer";
import { UpstreamFailure, callUpstream, upstreamFailureError, type UpstreamAnswer } from "./upstream";
import { generatedTexts, parseUsage, type TokenUsage } from "./usage";

// The billed relay of one POST endpoint (chat completions, completions, embeddings):
//   key checks → body → model allowed → a channel exists → price → estimate → reserve (1 DB round
//   trip) → upstream, retried on other channels → response → settle (1 DB round trip, after the
//   response unless too many settles are pending; for streams when the stream ends or the
//   client goes away).
// Any failure between the reserve and a usable upstream answer refunds the hold. From the reserve
// until its settle or refund has landed, this node renews the reservation's lease; if the node
// dies, the sweeper returns the hold. Framework-free: a Web Request in, a Web Response out.

export type RelayContext = {
  /** the client's address as resolved by the mount (client-ip.ts) */
  clientIp: string;
};

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

const NO_CHANNELS: ReadonlySet<number> = new Set();

export async function relayRequest(req: Request, ctx: RelayContext, spec: EndpointSpec): Promise<Response> {
  const requestId = newRequestId();
  const startedAt = performance.now();
  let reservation: Reservation | null = null;
  try {
    if (req.method !== "POST") throw methodNotAllowed(req.method, spec.path);
    const options = await getOptions();
    const auth = await authenticateKey(req.headers, spec.path, ctx.clientIp);
    const { json, text } = await readJsonObject(req, env().RELAY_MAX_BODY_BYTES);
    const parsed = spec.parse(json);
    const { model } = parsed;
    assertModelAllowed(auth.key, model);

    const { tiers } = await routesFor(auth.usingGroup, model);
    if (!tiers.length) {
      throw new RelayError(503, "model_not_found", `No available channel for model ${model} under group ${auth.usingGroup}`);
    }

    const pricing = resolvePricing(options, {
      model,
      userGroup: auth.key.user.group,
      usingGroup: auth.usingGroup,
      acceptUnpriced: auth.key.user.acceptUnpricedModels,
    });
    // the exact prompt count only matters when it can exceed the estimate's floor; an empty wallet
    // is refused before any counting
    let promptTokens: number | null = null;
    if (pricing.mode === "ratio" && !pricing.free && promptTokenUpperBound(parsed.prompt) > options.PreConsumedQuota) {
      await assertWalletNotEmpty(auth.key, options);
      promptTokens = await countPromptTokens(model, parsed.prompt);
    }
    const estimate = estimateQuota(pricing, {
      promptTokens: promptTokens ?? 0,
      maxTokens: parsed.maxTokens,
      preConsumedTokens: options.PreConsumedQuota,
    });
    const first = pickChannel(tiers, NO_CHANNELS)!;
    const reserving = reserve({
      owner: RELAY_OWNER,
      requestId,
      userId: auth.key.userId,
      tokenId: auth.key.tokenId,
      channelId: first.id,
      model,
      group: auth.usingGroup,
      estimate,
      pricing,
    }).then((r) => {
      holdLease(RELAY_OWNER, r.reservationId);
      return r;
    });
    const job: Omit<Job, "reservation"> = {
      requestId, startedAt, spec, parsed, json, text, auth, pricing, promptTokens, clientIp: ctx.clientIp, signal: req.signal,
    };
    const call = (signal: AbortSignal) =>
      callUpstream({
        path: spec.path,
        first,
        next: (tried) => pickChannel(tiers, tried),
        retryTimes: options.RetryTimes,
        body: (channel) => upstreamBody(job, channel),
        stream: parsed.stream,
        clientSignal: signal,
        addressPolicy: { allowPrivate: options.ChannelPrivateAddressesAllowed },
      });

    let answer: UpstreamAnswer;
    if (reserveLikely(auth.key, estimate)) {
      // the reservation statement is already on its way; the upstream call starts beside it
      const speculation = new AbortController();
      const onClientGone = () => speculation.abort();
      req.signal.addEventListener("abort", onClientGone, { once: true });
      if (req.signal.aborted) speculation.abort();
      const calling = call(speculation.signal);
      calling.catch(() => {}); // observed below, after the reserve
      try {
        try {
          reservation = await reserving;
        } catch (e) {
          speculation.abort();
          void calling.then(dropAnswer, () => {});
          throw e;
        }
        answer = await calling;
      } finally {
        req.signal.removeEventListener("abort", onClientGone);
      }
    } else {
      reservation = await reserving;
      answer = await call(req.signal);
    }
    const ready: Job = { ...job, reservation };
    return answer.kind === "stream" ? streamResponse(ready, answer) : await jsonResponse(ready, answer);
  } catch (e) {
    if (reservation) {
      await refundQuietly(RELAY_OWNER, reservation.reservationId, refundReason(e));
      releaseLease(reservation.reservationId);
    }
    if (e instanceof UpstreamFailure) return toErrorResponse(upstreamFailureError(e), requestId);
    // the client went away (e.g. while sending its body): nobody to answer, nothing to log
    if (req.signal.aborted && !(e instanceof RelayError) && !isAppError(e)) {
      return toErrorResponse(new RelayError(499, "client_closed_request", "The client closed the request"), requestId);
    }
    return toErrorResponse(e, requestId);
  }
}

/** an answer nobody will see (the reserve refused after the upstream was called) */
function dropAnswer(a: UpstreamAnswer) {
  if (a.kind === "stream") {
    a.abort();
    a.body.cancel().catch(() => {});
  }
}

type Job = {
  requestId: string;
  startedAt: number;
  spec: EndpointSpec;
  parsed: ParsedRequest;
  json: JsonObject;
  text: string;
  auth: RelayKey;
  pricing: Pricing;
  promptTokens: number | null;
  reservation: Reservation;
  clientIp: string;
  signal: AbortSignal;
};

function refundReason(e: unknown): string {
  if (e instanceof UpstreamFailure) return `upstream failed: ${e.describe()}`;
  if (e instanceof Error) return e.message.slice(0, 200);
  return "exception";
}

export function methodNotAllowed(method: string, path: string): RelayError {
  return new RelayError(405, "method_not_allowed", `Method ${method} is not allowed on ${path}`);
}

/** The body sent to a channel: the mapped model, and for streams include_usage turned on. */
function upstreamBody(job: Pick<Job, "parsed" | "json" | "text">, channel: RouteChannel): { text: string; upstreamModel: string } {
  const { model, stream } = job.parsed;
  const upstreamModel = channel.modelMapping[model] ?? model;
  if (upstreamModel === model && !stream) return { text: job.text, upstreamModel };
  const body: JsonObject = { ...job.json, model: upstreamModel };
  if (stream) {
    const so = job.json.stream_options;
    body.stream_options = { ...(so && typeof so === "object" ? so : {}), include_usage: true };
  }
  return { text: JSON.stringify(body), upstreamModel };
}

// ── non-stream ───────────────────────────────────────────────────────────────────────────────

async function jsonResponse(job: Job, answer: Extract<UpstreamAnswer, { kind: "json" }>): Promise<Response> {
  const frt = performance.now() - job.startedAt;
  let usage: TokenUsage | null = null;
  let body: unknown = null;
  try {
    body = JSON.parse(answer.text);
    usage = parseUsage((body as { usage?: unknown } | null)?.usage);
  } catch {
    // not JSON: counted locally below
  }
  const defer = canDefer();
  const settled = scheduleSettle(
    RELAY_OWNER,
    job.reservation.reservationId,
    () =>
      settleInput(job, answer, {
        usage,
        localTexts: usage ? null : () => {
          const out: string[] = [];
          generatedTexts(body, out);
          return out;
        },
        frt,
        isStream: false,
        endReason: null,
      }),
    `request ${job.requestId}`,
  );
  if (!defer) await settled;
  const headers = new Headers({
    "content-type": answer.contentType ?? "application/json",
    "x-request-id": job.requestId,
  });
  return new Response(answer.text, { status: answer.status, headers });
}

// ── stream ───────────────────────────────────────────────────────────────────────────────────

type EndReason = "done" | "eof_without_done" | "client_disconnect" | "upstream_error";

function streamResponse(job: Job, answer: Extract<UpstreamAnswer, { kind: "stream" }>): Response {
  const sse = new SseRelay(!job.parsed.wantsUsage);
  const reader = answer.body.getReader();
  let frt: number | null = null;
  let finished = false;

  /** ends the relay of this stream once; returns its settle */
  const finish = (reason: EndReason): Promise<void> | null => {
    if (finished) return null;
    finished = true;
    job.signal.removeEventListener("abort", onClientGone);
    if (reason === "client_disconnect" || reason === "upstream_error") {
      answer.abort();
      reader.cancel().catch(() => {});
    }
    return scheduleSettle(
      RELAY_OWNER,
      job.reservation.reservationId,
      () =>
        settleInput(job, answer, {
          usage: sse.usage,
          localTexts: sse.usage ? null : () => sse.generatedTexts(),
          frt: frt ?? performance.now() - job.startedAt,
          isStream: true,
          endReason: reason,
        }),
      `request ${job.requestId}`,
    );
  };
  const onClientGone = () => finish("client_disconnect");
  job.signal.addEventListener("abort", onClientGone, { once: true });
  // gone while the upstream was answering: Next will never read (nor cancel) this stream
  if (job.signal.aborted) finish("client_disconnect");

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const tail = sse.end();
            if (tail && !finished) controller.enqueue(tail);
            // bounded post-response work: when too many settles are pending, the stream ends
            // only once its own settle is done
            const defer = canDefer();
            const settled = finish(sse.sawDone ? "done" : "eof_without_done");
            if (!defer && settled) await settled;
            controller.close();
            return;
          }
          frt ??= performance.now() - job.startedAt;
          const events = sse.push(value);
          if (finished) return; // the client left while we were reading
          if (events.length) {
            for (const ev of events) controller.enqueue(ev);
            return;
          }
        }
      } catch {
        // the upstream connection broke (or was aborted because the client left): what was
        // served is settled; the client sees the stream end
        const reason = finished ? "client_disconnect" : "upstream_error";
        try {
          controller.close();
        } catch {
          // already closed or cancelled
        }
        finish(reason);
      }
    },
    cancel() {
      finish("client_disconnect");
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      "x-request-id": job.requestId,
    },
  });
}

// ── settle ───────────────────────────────────────────────────────────────────────────────────

type Outcome = {
  usage: TokenUsage | null;
  /** the generated texts to count when the upstream sent no usage */
  localTexts: (() => string[]) | null;
  frt: number;
  isStream: boolean;
  endReason: EndReason | null;
};

/** the settle of a request: its usage (the upstream's, or counted here), priced */
async function settleInput(job: Job, answer: UpstreamAnswer, outcome: Outcome): Promise<SettleInput> {
  const { model } = job.parsed;
  let usage = outcome.usage;
  let source: UsageSource = "upstream";
  if (!usage) {
    source = "local_count";
    const promptTokens = job.promptTokens ?? (await countPromptTokens(model, job.parsed.prompt));
    const completionTokens = outcome.localTexts ? await countTexts(model, outcome.localTexts()) : 0;
    usage = { promptTokens, completionTokens, cachedTokens: 0 };
  }
  const quota = computeQuota(job.pricing, usage);
  const notes: string[] = [];
  if (source === "local_count") notes.push("The upstream sent no usage: tokens counted locally");
  if (outcome.endReason === "client_disconnect") notes.push("Client disconnected: charged for what was served");
  if (outcome.endReason === "eof_without_done") notes.push("The upstream stream ended without [DONE]");
  if (outcome.endReason === "upstream_error") notes.push("The upstream stream broke off");
  const mapped = answer.upstreamModel !== model;
  return {
    reservationId: job.reservation.reservationId,
    quota,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    channelId: answer.channel.id,
    isStream: outcome.isStream,
    useTimeMs: performance.now() - job.startedAt,
    content: notes.join("; "),
    ip: job.auth.key.user.recordIpLog ? job.clientIp : "",
    upstreamRequestId: answer.upstreamRequestId,
    other: {
      ...pricingLogFields(job.pricing),
      usage_source: source,
      cache_tokens: usage.cachedTokens,
      frt: Math.round(outcome.frt),
      request_path: job.spec.path,
      ...(mapped ? { is_model_mapped: true, upstream_model_name: answer.upstreamModel } : {}),
      ...(outcome.endReason ? { stream_status: { status: outcome.endReason === "done" ? "ok" : "error", end_reason: outcome.endReason } } : {}),
      admin_info: { use_channel: answer.tried, ...(source === "local_count" ? { local_count_tokens: true } : {}) },
    },
  };
}
