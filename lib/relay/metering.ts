import { pricingLogFields, computeQuota } from "@/lib/quota/pricing";
import type { SettleInput, SettleTarget, UsageSource } from "@/lib/quota/settle";
import type { Job } from "./job";
import { countPromptTokens, countTexts } from "./tokenizer";
import type { UpstreamAnswer } from "./upstream";
import type { TokenUsage } from "./usage";

// What a served request is charged: the upstream's usage, or the tokens counted here when it sent
// none, priced with the reservation's pricing, with everything the consume log keeps to explain it.

export type EndReason = "done" | "eof_without_done" | "client_disconnect" | "upstream_error";

export type Outcome = {
  usage: TokenUsage | null;
  /** what a stream reported before it ended early (Anthropic's input classes in message_start) */
  partialUsage?: TokenUsage | null;
  /** the generated texts to count when the upstream sent no usage */
  localTexts: (() => string[]) | null;
  frt: number;
  isStream: boolean;
  endReason: EndReason | null;
};

/** the settle of a served request: its usage (the upstream's, or counted here), priced */
export async function settleInputFor(job: Job, answer: UpstreamAnswer, outcome: Outcome): Promise<SettleInput> {
  const { model } = job.parsed;
  const { usage, source, estimatedBlocks } = await chargedUsage(job, outcome);
  const mapped = answer.upstreamModel !== model;
  return {
    ...reservationRef(job),
    quota: computeQuota(job.pricing, usage),
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    channelId: answer.channel.id,
    isStream: outcome.isStream,
    useTimeMs: performance.now() - job.startedAt,
    content: settleNotes(source, estimatedBlocks, outcome.endReason).join("; "),
    ip: job.auth.key.user.recordIpLog ? job.clientIp : "",
    upstreamRequestId: answer.upstreamRequestId,
    other: {
      ...pricingLogFields(job.pricing),
      usage_source: source,
      cache_tokens: usage.cachedTokens,
      ...usageClassFields(usage),
      frt: Math.round(outcome.frt),
      request_path: job.spec.path,
      ...(mapped ? { is_model_mapped: true, upstream_model_name: answer.upstreamModel } : {}),
      ...(outcome.endReason
        ? { stream_status: { status: outcome.endReason === "done" ? "ok" : "error", end_reason: outcome.endReason } }
        : {}),
      ...(estimatedBlocks ? { prompt_estimated_blocks: estimatedBlocks } : {}),
      admin_info: { use_channel: answer.tried, ...(source === "local_count" ? { local_count_tokens: true } : {}) },
    },
  };
}

/**
 * The usage charged: the upstream's, else counted here. `estimatedBlocks`: images and documents
 * the billed prompt counted at a fixed size (no usage from the upstream).
 */
async function chargedUsage(
  job: Job,
  outcome: Outcome,
): Promise<{ usage: TokenUsage; source: UsageSource; estimatedBlocks: number }> {
  if (outcome.usage) return { usage: outcome.usage, source: "upstream", estimatedBlocks: 0 };
  const { model } = job.parsed;
  const completionTokens = outcome.localTexts ? await countTexts(model, outcome.localTexts()) : 0;
  const partial = outcome.partialUsage;
  if (partial) {
    // the input the upstream reported (with its cache classes) stands; the output served is
    // counted here, never less than the upstream had already reported
    const usage = { ...partial, completionTokens: Math.max(partial.completionTokens, completionTokens) };
    return { usage, source: "local_count", estimatedBlocks: 0 };
  }
  const promptTokens = job.promptTokens ?? (await countPromptTokens(model, job.parsed.prompt));
  const usage = { promptTokens, completionTokens, cachedTokens: 0 };
  return { usage, source: "local_count", estimatedBlocks: job.parsed.prompt.estimatedBlocks ?? 0 };
}

/** why the charge is what it is, for the consume log's content */
function settleNotes(source: UsageSource, estimatedBlocks: number, endReason: EndReason | null): string[] {
  const notes: string[] = [];
  if (source === "local_count") notes.push("The upstream sent no usage: tokens counted locally");
  if (estimatedBlocks) notes.push(`${estimatedBlocks} image(s) or document(s) of the prompt estimated at a fixed size`);
  if (endReason === "client_disconnect") notes.push("Client disconnected: charged for what was served");
  if (endReason === "eof_without_done") notes.push("The upstream stream ended without its end event");
  if (endReason === "upstream_error") notes.push("The upstream stream broke off");
  return notes;
}

/** the reservation the settle closes, or (trusted without a reserve) what an unreserved settle needs */
function reservationRef(job: Job): SettleTarget {
  if (job.reservation) return { reservationId: job.reservation.reservationId };
  const { auth } = job;
  return {
    unreserved: {
      requestId: job.requestId,
      userId: auth.key.userId,
      tokenId: auth.key.tokenId,
      model: job.parsed.model,
      group: auth.usingGroup,
      estimate: job.estimate,
      pricing: job.pricing,
    },
  };
}

/**
 * The token classes beyond prompt, completion and cache reads, as the consume log stores them
 * (only those the request had): with the prices pricingLogFields stores, lib/logs/explain.ts
 * recomputes the charge from them.
 */
function usageClassFields(u: TokenUsage): Record<string, unknown> {
  return {
    ...(u.cacheWrite5mTokens ? { cache_write_5m_tokens: u.cacheWrite5mTokens } : {}),
    ...(u.cacheWrite1hTokens ? { cache_write_1h_tokens: u.cacheWrite1hTokens } : {}),
    ...(u.reasoningTokens ? { reasoning_tokens: u.reasoningTokens } : {}),
    ...(u.toolCalls && Object.keys(u.toolCalls).length ? { tool_calls: u.toolCalls } : {}),
  };
}
