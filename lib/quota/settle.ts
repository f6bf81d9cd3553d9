import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { balanceChanged } from "./events";
import { forgetPricing } from "./pricing-cache";

export type UsageSource = "upstream" | "local_count" | "estimate";

export type SettleInput = {
  reservationId: bigint;
  /** the final charge, from computeQuota */
  quota: bigint;
  promptTokens: number;
  completionTokens: number;
  channelId?: number | null;
  isStream?: boolean;
  useTimeMs?: number;
  content?: string;
  ip?: string;
  upstreamRequestId?: string;
  /** pricing inputs, token counts and usage source, stored on the consume log */
  other?: Record<string, unknown>;
};

export type Settlement = {
  logId: bigint;
  charged: bigint;
  /** true when this reservation had already been settled: nothing was charged again */
  existing: boolean;
  userId: number;
  tokenId: number;
  userQuota: bigint | null;
  tokenRemain: bigint | null;
};

type Row = {
  outcome: string;
  log_id: bigint | null;
  charged: bigint | null;
  user_quota: bigint | null;
  token_remain: bigint | null;
  user_id: number | null;
  token_id: number | null;
};

const MAX_TOKENS_PER_REQUEST = 2_000_000_000;

/**
 * Post-consume (SPEC §4.2): one statement (tollgate_settle) applies actual − held to wallet and key,
 * counts used quota and requests on user, key and channel, writes the consume log and the hourly
 * rollup and closes the reservation. Idempotent: a second settle returns the first result.
 */
export async function settle(input: SettleInput): Promise<Settlement> {
  if (input.quota < 0n) throw new AppError("invalid_quota", "Charge cannot be negative", 400);
  for (const [name, v] of [["prompt_tokens", input.promptTokens], ["completion_tokens", input.completionTokens]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_TOKENS_PER_REQUEST) {
      throw new AppError("invalid_usage", `${name} must be a whole number between 0 and ${MAX_TOKENS_PER_REQUEST}`, 400);
    }
  }
  const useTime = Math.max(0, Math.round((input.useTimeMs ?? 0) / 1000));
  const other = { ...(input.other ?? {}), ...(input.useTimeMs !== undefined ? { use_time_ms: Math.round(input.useTimeMs) } : {}) };
  const rows = await db.$queryRaw<Row[]>`
    SELECT * FROM tollgate_settle(${input.reservationId}::bigint, ${input.quota}::bigint,
      ${input.promptTokens}::int, ${input.completionTokens}::int, ${input.channelId ?? null}::int,
      ${input.isStream ?? false}, ${useTime}::int, ${input.content ?? ""}, ${input.ip ?? ""},
      ${input.upstreamRequestId ?? ""}, ${JSON.stringify(other)}::jsonb)`;
  const r = rows[0];
  switch (r.outcome) {
    case "settled":
    case "existing": {
      forgetPricing(input.reservationId);
      const result: Settlement = {
        logId: r.log_id!,
        charged: r.charged!,
        existing: r.outcome === "existing",
        userId: r.user_id!,
        tokenId: r.token_id!,
        userQuota: r.user_quota,
        tokenRemain: r.token_remain,
      };
      if (!result.existing) {
        balanceChanged({
          kind: "settle", userId: result.userId, tokenId: result.tokenId, userQuota: r.user_quota, tokenRemain: r.token_remain, charged: result.charged,
        });
      }
      return result;
    }
    case "refunded":
      throw new AppError("reservation_refunded", "This reservation was refunded and cannot be settled", 409);
    case "not_found":
      throw new AppError("reservation_not_found", "Reservation not found", 404);
    default:
      throw new Error(`tollgate_settle returned ${r.outcome}`);
  }
}
