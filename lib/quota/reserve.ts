import "server-only";
import { AppError } from "@/lib/errors";
import type { Options } from "@/lib/options/schemas";
import { getOptions } from "@/lib/options/service";
import { balanceChanged } from "./events";
import { displayOf } from "./credits";
import { formatQuota } from "./money";
import { pricingLogFields, type Pricing } from "./pricing";
import { rememberPricing } from "./pricing-cache";
import { big, callBilling } from "./sql";

export type ReserveInput = {
  /** unique per request; replaying it returns the first reservation */
  requestId: string;
  userId: number;
  tokenId: number;
  channelId?: number | null;
  model: string;
  group: string;
  estimate: bigint;
  pricing: Pricing;
  /**
   * The relay sets this: if the reservation is never settled (the node died after calling the
   * upstream), the sweeper charges the estimate instead of returning the hold.
   */
  chargeOnExpiry?: boolean;
};

export type Reservation = {
  reservationId: bigint;
  requestId: string;
  held: bigint;
  trusted: boolean;
  expiresAt: Date;
  /** true when this request id had already reserved (nothing new was held) */
  existing: boolean;
};

type Row = {
  outcome: string;
  reservation_id: bigint | null;
  held: bigint;
  trusted: boolean;
  expires_at: Date | null;
  user_quota: bigint | null;
  token_remain: bigint | null;
};

/** The refusal of a wallet at or below zero: the reserve's, and the relay's check before it counts a prompt. */
export function emptyWalletError(quota: bigint, o: Options): AppError {
  return new AppError("insufficient_user_quota", `User quota is not enough, remaining quota: ${formatQuota(quota, displayOf(o))}`, 403);
}

/**
 * Pre-consume (SPEC §4.1): one statement (tollgate_reserve, prisma/migrations/*_billing_functions)
 * checks the wallet, applies the trust rule and holds the estimate on wallet and key with
 * conditional updates, and records the reservation with its expiry.
 */
export async function reserve(input: ReserveInput): Promise<Reservation> {
  const o = await getOptions();
  const [row] = await callBilling(
    "SELECT * FROM tollgate_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    [
      input.requestId, input.userId, input.tokenId, input.channelId ?? null, input.model, input.group, input.estimate,
      o.PreConsumeMode === "always", BigInt(o.TrustQuota), o.ReservationTtlSeconds,
      JSON.stringify(pricingLogFields(input.pricing)), input.pricing.free, input.chargeOnExpiry ?? false,
    ],
  );
  const rows: Row[] = [{
    outcome: row.outcome as string,
    reservation_id: big(row.reservation_id),
    held: big(row.held) ?? 0n,
    trusted: row.trusted as boolean,
    expires_at: row.expires_at as Date | null,
    user_quota: big(row.user_quota),
    token_remain: big(row.token_remain),
  }];
  const r = rows[0];
  const display = displayOf(o);
  const fmt = (q: bigint | null) => formatQuota(q ?? 0n, display);
  switch (r.outcome) {
    case "reserved":
    case "existing": {
      const reservation = {
        reservationId: r.reservation_id!,
        requestId: input.requestId,
        held: r.held,
        trusted: r.trusted,
        expiresAt: r.expires_at!,
        existing: r.outcome === "existing",
      };
      rememberPricing(reservation.reservationId, input.requestId, input.pricing, reservation.expiresAt);
      if (r.outcome === "reserved" && r.held > 0n) {
        balanceChanged({ kind: "reserve", userId: input.userId, tokenId: input.tokenId, userQuota: r.user_quota, tokenRemain: r.token_remain });
      }
      return reservation;
    }
    case "insufficient_user_quota":
      throw (r.user_quota ?? 0n) <= 0n
        ? emptyWalletError(r.user_quota ?? 0n, o)
        : new AppError(
            "insufficient_user_quota",
            `Pre-consume failed, user remaining quota: ${fmt(r.user_quota)}, required: ${fmt(input.estimate)}`,
            403,
          );
    case "pre_consume_token_quota_failed":
      throw new AppError(
        "pre_consume_token_quota_failed",
        `token quota is not enough, token remain quota: ${fmt(r.token_remain)}, need quota: ${fmt(input.estimate)}`,
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
