import "server-only";
import { AppError } from "@/lib/errors";
import type { Options } from "@/lib/options/schemas";
import { getOptions } from "@/lib/options/service";
import { balanceChanged } from "./events";
import { displayOf, formatQuota } from "./money";
import { pricingLogFields, type Pricing } from "./pricing";
import { rememberPricing } from "./pricing-cache";
import { big, callBilling } from "./sql";

/**
 * Who made a reservation: this app's relay, or a credential of the settlement API. A request id
 * belongs to its owner; only the owner can settle or refund the reservation.
 */
export type ReservationOwner = "relay" | `service:${number}`;

export const RELAY_OWNER: ReservationOwner = "relay";
export const serviceOwner = (serviceKeyId: number): ReservationOwner => `service:${serviceKeyId}`;

export type ReserveInput = {
  owner: ReservationOwner;
  /** unique per owner; replaying it (same key and model) returns the first reservation */
  requestId: string;
  userId: number;
  tokenId: number;
  channelId?: number | null;
  model: string;
  group: string;
  estimate: bigint;
  pricing: Pricing;
};

export type Reservation = {
  reservationId: bigint;
  owner: ReservationOwner;
  requestId: string;
  held: bigint;
  /** the estimate the reservation was made with (a replay's own estimate is ignored) */
  estimate: bigint;
  trusted: boolean;
  expiresAt: Date;
  /** true when this request id had already reserved (nothing new was held) */
  existing: boolean;
};

/** The refusal of a wallet at or below zero: the reserve's, and the relay's check before it counts a prompt. */
export function emptyWalletError(quota: bigint, o: Options): AppError {
  return new AppError(
    "insufficient_user_quota",
    `User quota is not enough, remaining quota: ${formatQuota(quota, displayOf(o))}`,
    403,
  );
}

/**
 * Pre-consume: one statement (tollgate_reserve) checks the wallet, applies the trust
 * rule and holds the estimate on wallet and key with conditional updates, and records the
 * reservation, its pricing and its lease. A replay returns the first reservation as it was made.
 */
export async function reserve(input: ReserveInput): Promise<Reservation> {
  const o = await getOptions();
  const [row] = await callBilling(
    "SELECT * FROM tollgate_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    [
      input.owner,
      input.requestId,
      input.userId,
      input.tokenId,
      input.channelId ?? null,
      input.model,
      input.group,
      input.estimate,
      o.PreConsumeMode === "always",
      BigInt(o.TrustQuota),
      o.ReservationTtlSeconds,
      JSON.stringify(pricingLogFields(input.pricing)),
      input.pricing.free,
    ],
  );
  const r = {
    outcome: row.outcome as string,
    reservationId: big(row.reservation_id),
    held: big(row.held) ?? 0n,
    estimate: big(row.estimate),
    trusted: row.trusted as boolean,
    expiresAt: row.expires_at as Date | null,
    userQuota: big(row.user_quota),
    tokenRemain: big(row.token_remain),
  };
  const display = displayOf(o);
  const fmt = (q: bigint | null) => formatQuota(q ?? 0n, display);
  switch (r.outcome) {
    case "reserved":
    case "existing": {
      const reservation: Reservation = {
        reservationId: r.reservationId!,
        owner: input.owner,
        requestId: input.requestId,
        held: r.held,
        estimate: r.estimate!,
        trusted: r.trusted,
        expiresAt: r.expiresAt!,
        existing: r.outcome === "existing",
      };
      if (r.outcome === "reserved") {
        rememberPricing(reservation, input.pricing);
        // also when nothing was held: the balances read are news to the key cache (trustedWithoutReserve)
        balanceChanged({
          kind: "reserve",
          userId: input.userId,
          tokenId: input.tokenId,
          userQuota: r.userQuota,
          tokenRemain: r.tokenRemain,
        });
      }
      return reservation;
    }
    case "conflict":
      throw new AppError(
        "request_id_conflict",
        `request_id ${input.requestId} was already used for another key, user or model`,
        409,
      );
    case "insufficient_user_quota":
      throw (r.userQuota ?? 0n) <= 0n
        ? emptyWalletError(r.userQuota ?? 0n, o)
        : new AppError(
            "insufficient_user_quota",
            `Pre-consume failed, user remaining quota: ${fmt(r.userQuota)}, required: ${fmt(input.estimate)}`,
            403,
          );
    case "pre_consume_token_quota_failed":
      throw new AppError(
        "pre_consume_token_quota_failed",
        `token quota is not enough, token remain quota: ${fmt(r.tokenRemain)}, need quota: ${fmt(input.estimate)}`,
        403,
      );
    case "user_not_found":
      throw new AppError("user_not_found", "User not found", 404);
    case "token_not_found":
      throw new AppError("invalid_api_key", "API key not found", 401);
    default:
      throw new Error(`tollgate_reserve returned ${r.outcome}`);
  }
}

/** how old the balances a node knows may be for trustedWithoutReserve */
export const TRUST_FRESH_MS = 10_000;

/**
 * Whether the relay may serve a request without a reserve: the rule by which tollgate_reserve would
 * hold nothing (trust mode, the wallet above the trust threshold and the estimate, the key unlimited
 * or also above the threshold), applied to balances this node read from the database at most
 * TRUST_FRESH_MS ago — the key cache's, which every reserve and settle of the key refreshes (so a
 * busy key's are as fresh as its last settle) and every credit, refund or admin change drops. A
 * reserve that would hold nothing protects nothing: skipping it saves the request a database round
 * trip and a commit; its reservation is recorded by its settle (tollgate_settle_trusted). What other
 * nodes spent since the balances were read is the margin the trust threshold stands for, as it does
 * for the requests in flight that a trusted reserve lets through without holding anything.
 */
export function trustedWithoutReserve(
  o: Options,
  known: {
    userQuota: bigint;
    tokenRemain: bigint;
    unlimited: boolean;
    /** when the balances were read (ms since the epoch) */
    readAt: number;
    estimate: bigint;
    free: boolean;
  },
): boolean {
  if (known.free || Date.now() - known.readAt > TRUST_FRESH_MS) return false;
  const threshold = BigInt(o.TrustQuota);
  return (
    o.PreConsumeMode === "trust" &&
    threshold > 0n &&
    known.userQuota > threshold &&
    known.userQuota >= known.estimate &&
    (known.unlimited || known.tokenRemain > threshold)
  );
}
