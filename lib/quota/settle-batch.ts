import "server-only";
import { AppError } from "@/lib/errors";
import { balanceChanged } from "./events";
import { forgetPricing } from "./pricing-cache";
import type { SettleInput, Settlement } from "./settle";
import { big, callBilling } from "./sql";

// Group commit of settles (performance-notes.md: a single hot user is bounded by row-lock hand-off,
// ~1,500 commits/s; beating it needs several requests' deltas in one transaction). settleBatch runs
// tollgate_settle — the very function settle() calls, same checks, same idempotency — once per
// input, in ONE statement and so one transaction and one commit. Nothing is lost or merged: every
// reservation gets its own consume log and result, exactly as if settled alone.
//
// Lock order: each tollgate_settle locks reservation → user → key → channel; the batch is run in
// (user, key) order so two batches, or a batch and a single settle, meet a user's rows in the
// same order. Rows shared by users (a channel's) can still make two batches of two nodes
// deadlock; PostgreSQL then aborts one and its caller retries (nothing of it was committed).

export type BatchItem = Settlement | AppError;

const MAX_TOKENS_PER_REQUEST = 2_000_000_000;

function invalid(input: SettleInput): AppError | null {
  if (input.quota < 0n) return new AppError("invalid_quota", "Charge cannot be negative", 400);
  for (const [name, v] of [["prompt_tokens", input.promptTokens], ["completion_tokens", input.completionTokens]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_TOKENS_PER_REQUEST) {
      return new AppError("invalid_usage", `${name} must be a whole number between 0 and ${MAX_TOKENS_PER_REQUEST}`, 400);
    }
  }
  return null;
}

/**
 * Settles many reservations in one transaction; settle() is a batch of one. Each input's (user,
 * key), when given, lets the batch run in lock order. Returns one result per input, in the inputs' order: the
 * settlement, or the AppError settle() would have thrown (refunded, not found, invalid). A database
 * error (a deadlock, a lost connection) rejects the whole batch: nothing of it was committed.
 */
export async function settleBatch(inputs: readonly (SettleInput & { userId?: number; tokenId?: number })[]): Promise<BatchItem[]> {
  const results: (BatchItem | undefined)[] = inputs.map(invalid).map((e) => e ?? undefined);
  const todo = inputs
    .map((input, i) => ({ input, i }))
    .filter(({ i }) => results[i] === undefined)
    .sort((a, b) => (a.input.userId ?? 0) - (b.input.userId ?? 0) || (a.input.tokenId ?? 0) - (b.input.tokenId ?? 0) || a.i - b.i);
  if (todo.length) {
    const col = <T>(f: (x: SettleInput) => T) => todo.map(({ input }) => f(input));
    const rows = await callBilling(
      `SELECT x.ord, s.* FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::int[], $6::boolean[], $7::int[],
                                    $8::text[], $9::text[], $10::text[], $11::jsonb[])
                         WITH ORDINALITY AS x(rid, quota, pt, ct, ch, stream, use_time, content, ip, urid, other, ord)
       CROSS JOIN LATERAL tollgate_settle(x.rid, x.quota, x.pt, x.ct, x.ch, x.stream, x.use_time, x.content, x.ip, x.urid, x.other) s
       ORDER BY x.ord`,
      [
        col((x) => x.reservationId.toString()),
        col((x) => x.quota.toString()),
        col((x) => x.promptTokens),
        col((x) => x.completionTokens),
        col((x) => x.channelId ?? null),
        col((x) => x.isStream ?? false),
        col((x) => Math.max(0, Math.round((x.useTimeMs ?? 0) / 1000))),
        col((x) => x.content ?? ""),
        col((x) => x.ip ?? ""),
        col((x) => x.upstreamRequestId ?? ""),
        col((x) => JSON.stringify({ ...(x.other ?? {}), ...(x.useTimeMs !== undefined ? { use_time_ms: Math.round(x.useTimeMs) } : {}) })),
      ],
    );
    for (const row of rows) {
      const { input, i } = todo[Number(row.ord) - 1];
      results[i] = toResult(input, row);
    }
  }
  return results.map((r) => r ?? new AppError("internal", "no result", 500));
}

function toResult(input: SettleInput, row: Record<string, unknown>): BatchItem {
  switch (row.outcome) {
    case "settled":
    case "existing": {
      forgetPricing(input.reservationId);
      const s: Settlement = {
        logId: big(row.log_id)!,
        charged: big(row.charged)!,
        existing: row.outcome === "existing",
        userId: row.user_id as number,
        tokenId: row.token_id as number,
        userQuota: big(row.user_quota),
        tokenRemain: big(row.token_remain),
      };
      if (!s.existing) {
        balanceChanged({ kind: "settle", userId: s.userId, tokenId: s.tokenId, userQuota: s.userQuota, tokenRemain: s.tokenRemain, charged: s.charged });
      }
      return s;
    }
    case "refunded":
      return new AppError("reservation_refunded", "This reservation was refunded and cannot be settled", 409);
    case "not_found":
      return new AppError("reservation_not_found", "Reservation not found", 404);
    default:
      return new AppError("internal", `tollgate_settle returned ${String(row.outcome)}`, 500);
  }
}
