import "server-only";
import { AppError, INTERNAL_ERROR } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { balanceChanged } from "./events";
import { pricingLogFields, type Pricing } from "./pricing";
import { forgetPricing } from "./pricing-cache";
import type { ReservationOwner } from "./reserve";
import { big, callBilling } from "./sql";

// Post-consume. tollgate_settle settles a batch of one owner's reservations in ONE
// statement, so one transaction and one commit (performance-notes.md: a hot user is bounded by
// row-lock hand-off; several requests' deltas per commit beat it). Nothing is merged: every
// reservation gets its own consume log and result, exactly as if settled alone. The statement
// locks the batch's reservations by id, then users and keys in (user, key) order, then channels by
// id — the order of every billing statement, so batches of several nodes cannot deadlock.

export type UsageSource = "upstream" | "local_count" | "estimate";

/**
 * A request served without a reserve (trust mode, trustedWithoutReserve): its reservation is
 * recorded by the settle itself (tollgate_settle_trusted), trusted and holding nothing.
 */
export type UnreservedRequest = {
  requestId: string;
  userId: number;
  tokenId: number;
  model: string;
  group: string;
  estimate: bigint;
  pricing: Pricing;
};

/** what is settled: a reservation, or a request that was served without one */
export type SettleTarget =
  { reservationId: bigint; unreserved?: never } | { unreserved: UnreservedRequest; reservationId?: never };

export type SettleInput = SettleTarget & {
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

export type SettleResult = Settlement | AppError;

const MAX_TOKENS_PER_REQUEST = 2_000_000_000;
// the widths of the log columns these land in
const MAX_UPSTREAM_REQUEST_ID = 128;
const MAX_IP = 64;
const MAX_CONTENT = 2_000;

function invalid(input: SettleInput): AppError | null {
  if (input.quota < 0n) return new AppError("invalid_quota", "Charge cannot be negative", 400);
  for (const [name, v] of [
    ["prompt_tokens", input.promptTokens],
    ["completion_tokens", input.completionTokens],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_TOKENS_PER_REQUEST) {
      return new AppError(
        "invalid_usage",
        `${name} must be a whole number between 0 and ${MAX_TOKENS_PER_REQUEST}`,
        400,
      );
    }
  }
  return null;
}

/**
 * Text that PostgreSQL accepts and that fits its column: no NUL or other control characters, no
 * lone surrogates (jsonb and text refuse them), at most `max` characters. Upstream headers and
 * bodies end up in the log: one odd value must not fail a settle.
 */
export function cleanText(v: string, max: number): string {
  const s = v.toWellFormed().replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
  return s.length > max ? s.slice(0, max) : s;
}

function cleanJson(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return cleanText(v, MAX_CONTENT);
  if (depth > 8 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => cleanJson(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanText(k, 128), cleanJson(x, depth + 1)]));
}

/**
 * The same settle with everything that is only description dropped: what a settle is retried
 * with when PostgreSQL refused its data. The charge, the tokens and the pricing stay.
 */
export function withoutDescription(input: SettleInput): SettleInput {
  const keep = [
    "usage_source",
    "cache_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "reasoning_tokens",
    "tool_calls",
    "model_ratio",
    "completion_ratio",
    "cache_ratio",
    "cache_write_5m_ratio",
    "cache_write_1h_ratio",
    "tool_prices",
    "model_price",
    "group_ratio",
    "user_group_ratio",
    "quota_per_unit",
    "billing_mode",
  ];
  const other = Object.fromEntries(Object.entries(input.other ?? {}).filter(([k]) => keep.includes(k)));
  return {
    ...input,
    content: "Some fields of this log were dropped: the database refused them",
    ip: "",
    upstreamRequestId: "",
    other,
  };
}

/**
 * The last resort after data errors: only what is charged is left (the target, the charge and the
 * token counts); every optional field is dropped, the pricing details on the log included.
 */
export function bareSettle(input: SettleInput): SettleInput {
  const target: SettleTarget = input.unreserved
    ? { unreserved: input.unreserved }
    : { reservationId: input.reservationId };
  return {
    ...target,
    quota: input.quota,
    promptTokens: input.promptTokens,
    completionTokens: input.completionTokens,
    content: "The details of this log were dropped: the database refused them",
    other: {},
  };
}

/** a PostgreSQL error caused by the data of a statement (class 22 data exception, 23 integrity) */
export function isDataError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

/**
 * Settles many of `owner`'s reservations in one transaction. Returns one result per input, in the
 * inputs' order: the settlement, or the AppError settle() would have thrown (refunded, not found,
 * invalid). A database error (a lost connection, data PostgreSQL refused) rejects the whole batch:
 * nothing of it was committed.
 */
export async function settleBatch(owner: ReservationOwner, inputs: readonly SettleInput[]): Promise<SettleResult[]> {
  const results: (SettleResult | undefined)[] = inputs.map((input) => invalid(input) ?? undefined);
  const todo = inputs.map((input, i) => ({ input, i })).filter(({ i }) => results[i] === undefined);
  // reservations and unreserved requests take one statement each (the queue batches them apart)
  const reserved = todo.filter(({ input }) => input.unreserved === undefined);
  const unreserved = todo.filter(({ input }) => input.unreserved !== undefined);
  for (const part of [reserved, unreserved]) {
    if (!part.length) continue;
    const rows = await callBilling(
      ...(await settleStatement(
        owner,
        part.map(({ input }) => input),
      )),
    );
    for (const row of rows) {
      const { input, i } = part[Number(row.ord) - 1];
      results[i] = toResult(input, row);
    }
  }
  return results.map((r) => r ?? new AppError(INTERNAL_ERROR, "no result", 500));
}

/** the statement that settles `inputs` (all reservations, or all unreserved requests) */
async function settleStatement(owner: ReservationOwner, inputs: readonly SettleInput[]): Promise<[string, unknown[]]> {
  const col = <T>(f: (x: SettleInput) => T) => inputs.map(f);
  const settled = [
    col((x) => x.quota.toString()),
    col((x) => x.promptTokens),
    col((x) => x.completionTokens),
    col((x) => x.channelId ?? null),
    col((x) => x.isStream ?? false),
    col((x) => Math.max(0, Math.round((x.useTimeMs ?? 0) / 1000))),
    col((x) => cleanText(x.content ?? "", MAX_CONTENT)),
    col((x) => cleanText(x.ip ?? "", MAX_IP)),
    col((x) => cleanText(x.upstreamRequestId ?? "", MAX_UPSTREAM_REQUEST_ID)),
    col((x) =>
      JSON.stringify(
        cleanJson({
          ...(x.other ?? {}),
          ...(x.useTimeMs !== undefined ? { use_time_ms: Math.round(x.useTimeMs) } : {}),
        }),
      ),
    ),
  ];
  if (inputs[0].unreserved === undefined) {
    return [
      "SELECT * FROM tollgate_settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      [owner, col((x) => x.reservationId!.toString()), ...settled],
    ];
  }
  const u = (f: (x: UnreservedRequest) => unknown) => col((x) => f(x.unreserved!));
  return [
    "SELECT * FROM tollgate_settle_trusted($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    [
      owner,
      u((x) => x.requestId),
      u((x) => x.userId),
      u((x) => x.tokenId),
      u((x) => x.model),
      u((x) => x.group),
      u((x) => x.estimate.toString()),
      u((x) => JSON.stringify(pricingLogFields(x.pricing))),
      (await getOptions()).ReservationTtlSeconds,
      ...settled,
    ],
  ];
}

/** A batch of one: the settle of the settlement API and of tests. Idempotent. */
export async function settle(owner: ReservationOwner, input: SettleInput): Promise<Settlement> {
  const [result] = await settleBatch(owner, [input]);
  if (result instanceof Error) throw result;
  return result;
}

function toResult(input: SettleInput, row: Record<string, unknown>): SettleResult {
  switch (row.outcome) {
    case "settled":
    case "existing": {
      if (input.reservationId !== undefined) forgetPricing(input.reservationId);
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
        balanceChanged({
          kind: "settle",
          userId: s.userId,
          tokenId: s.tokenId,
          userQuota: s.userQuota,
          tokenRemain: s.tokenRemain,
          charged: s.charged,
        });
      }
      return s;
    }
    case "refunded":
      return new AppError("reservation_refunded", "This reservation was refunded and cannot be settled", 409);
    case "not_found":
      return new AppError("reservation_not_found", "Reservation not found", 404);
    default:
      return new AppError(INTERNAL_ERROR, `tollgate_settle returned ${String(row.outcome)}`, 500);
  }
}
