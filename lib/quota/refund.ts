import "server-only";
import { AppError } from "@/lib/errors";
import { balanceChanged } from "./events";
import { forgetPricing } from "./pricing-cache";
import type { ReservationOwner } from "./reserve";
import { cleanText } from "./settle";
import { big, callBilling } from "./sql";

export type Refund = { returned: bigint; existing: boolean; userId: number; tokenId: number };

/**
 * Returns the hold of one of `owner`'s reservations in one statement (tollgate_refund)
 * and closes it for good: a settle arriving later is refused, also when the sweeper had expired
 * it first. Idempotent: a reservation already refunded returns nothing again; a settled one
 * cannot be refunded.
 */
export async function refund(owner: ReservationOwner, reservationId: bigint, reason = ""): Promise<Refund> {
  const [row] = await callBilling("SELECT * FROM tollgate_refund($1, $2, $3)", [
    owner,
    reservationId,
    cleanText(reason, 500),
  ]);
  const rows = [
    {
      outcome: row.outcome as string,
      returned: big(row.returned),
      user_id: row.user_id as number | null,
      token_id: row.token_id as number | null,
    },
  ];
  const r = rows[0];
  if (r.outcome === "not_found") throw new AppError("reservation_not_found", "Reservation not found", 404);
  if (r.outcome === "settled")
    throw new AppError("reservation_settled", "This reservation was settled and cannot be refunded", 409);
  forgetPricing(reservationId);
  const result = {
    returned: r.returned ?? 0n,
    existing: r.outcome === "existing",
    userId: r.user_id!,
    tokenId: r.token_id!,
  };
  if (result.returned > 0n) balanceChanged({ kind: "refund", userId: result.userId, tokenId: result.tokenId });
  return result;
}

/** Refund that never throws: for the error paths of the relay, where the original error matters more. */
export async function refundQuietly(owner: ReservationOwner, reservationId: bigint, reason: string): Promise<void> {
  try {
    await refund(owner, reservationId, reason);
  } catch (e) {
    // the sweeper returns the hold when it expires
    console.error(`refund of reservation ${reservationId} failed; the sweeper will return it`, e);
  }
}
