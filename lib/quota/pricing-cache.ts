import { pricingFromLogFields, pricingLogFields, type Pricing } from "./pricing";
import type { ReservationOwner } from "./reserve";

// A faster copy of the pricing a reservation stored, kept in the process that reserved it until
// it expires, so a settle of the settlement API prices the usage without another database round
// trip. It holds exactly what the row holds (the stored fields read back), and only the reserve
// that created the reservation writes it: a replay never re-prices. A miss (another node
// reserved, or a restart) reads the row.

const MAX_ENTRIES = 200_000;
type Entry = { pricing: Pricing; reservationId: bigint; owner: ReservationOwner; requestId: string; expiresAt: number };
const byId = new Map<bigint, Entry>();
const byRequest = new Map<string, Entry>();
const requestKey = (owner: string, requestId: string) => `${owner}\u001f${requestId}`;

export function rememberPricing(
  r: { reservationId: bigint; owner: ReservationOwner; requestId: string; expiresAt: Date },
  pricing: Pricing,
): void {
  if (byId.size >= MAX_ENTRIES) {
    // drop the oldest tenth; a Map iterates in insertion order
    let n = MAX_ENTRIES / 10;
    for (const e of byId.values()) {
      forgetPricing(e.reservationId);
      if (--n <= 0) break;
    }
  }
  const stored = pricingFromLogFields(pricing.model, JSON.parse(JSON.stringify(pricingLogFields(pricing))));
  const entry = {
    pricing: stored,
    reservationId: r.reservationId,
    owner: r.owner,
    requestId: r.requestId,
    expiresAt: r.expiresAt.getTime(),
  };
  byId.set(r.reservationId, entry);
  byRequest.set(requestKey(r.owner, r.requestId), entry);
}

/** the owner's reservation named by id or request id, if this process reserved it */
export function recallPricing(
  owner: ReservationOwner,
  ref: { reservationId?: bigint; requestId?: string },
): { pricing: Pricing; reservationId: bigint } | null {
  const e =
    ref.reservationId !== undefined
      ? byId.get(ref.reservationId)
      : ref.requestId
        ? byRequest.get(requestKey(owner, ref.requestId))
        : undefined;
  if (!e || e.owner !== owner || e.expiresAt < Date.now() - 86_400_000) return null;
  return { pricing: e.pricing, reservationId: e.reservationId };
}

export function forgetPricing(reservationId: bigint): void {
  const e = byId.get(reservationId);
  if (!e) return;
  byId.delete(reservationId);
  byRequest.delete(requestKey(e.owner, e.requestId));
}
