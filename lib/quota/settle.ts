import "server-only";
import { AppError } from "@/lib/errors";
import { balanceChanged } from "./events";
import { forgetPricing } from "./pricing-cache";
import { big, callBilling } from "./sql";

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
 * rollup and closes the reservation. Idempotent: a second settle returns the first result. A
 * reservation the sweeper charged at its estimate (the request outlived it) is corrected once to
 * the real charge (migration *_settle_after_sweep).
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
  const [row] = await callBilling(
    "SELECT * FROM tollgate_settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    [
      input.reservationId, input.quota, input.promptTokens, input.completionTokens, input.channelId ?? null,
      input.isStream ?? false, useTime, input.content ?? "", input.ip ?? "", input.upstreamRequestId ?? "", JSON.stringify(other),
    ],
  );
  const rows: Row[] = [{
    outcome: row.outcome as string,
    log_id: big(row.log_id),
    charged: big(row.charged),
    user_quota: big(row.user_quota),
    token_remain: big(row.token_remain),
    user_id: row.user_id as number | null,
    token_id: row.token_id as number | null,
  }];
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
