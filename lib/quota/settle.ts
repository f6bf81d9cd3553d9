import "server-only";
import { settleBatch } from "./settle-batch";

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

/**
 * Post-consume (SPEC §4.2): one statement (tollgate_settle) applies actual − held to wallet and key,
 * counts used quota and requests on user, key and channel, writes the consume log and the hourly
 * rollup and closes the reservation. Idempotent: a second settle returns the first result. A
 * reservation the sweeper charged at its estimate (the request outlived it) is corrected once to
 * the real charge (migration *_settle_after_sweep). A batch of one: settleBatch holds the checks
 * and the mapping of the statement's outcome.
 */
export async function settle(input: SettleInput): Promise<Settlement> {
  const [result] = await settleBatch([input]);
  if (result instanceof Error) throw result;
  return result;
}
