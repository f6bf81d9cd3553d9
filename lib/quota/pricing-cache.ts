import type { Pricing } from "./pricing";

// The pricing a reservation was made with, kept in process until it expires, so the settle of an
// external relay (settlement API) prices the usage without another database round trip. A miss
// (another node reserved, or a restart) falls back to the copy stored on the reservation row.

const MAX_ENTRIES = 200_000;
type Entry = { pricing: Pricing; reservationId: bigint; requestId: string; expiresAt: number };
const byId = new Map<bigint, Entry>();
const byRequest = new Map<string, Entry>();

export function rememberPricing(reservationId: bigint, requestId: string, pricing: Pricing, expiresAt: Date): void {
  if (byId.size >= MAX_ENTRIES) {
    // drop the oldest tenth; a Map iterates in insertion order
    let n = MAX_ENTRIES / 10;
    for (const e of byId.values()) {
      forgetPricing(e.reservationId, e.requestId);
      if (--n <= 0) break;
    }
  }
  const entry = { pricing, reservationId, requestId, expiresAt: expiresAt.getTime() };
  byId.set(reservationId, entry);
  byRequest.set(requestId, entry);
}

export function recallPricing(ref: { reservationId?: bigint; requestId?: string }): { pricing: Pricing; reservationId: bigint } | null {
  const e = ref.reservationId !== undefined ? byId.get(ref.reservationId) : ref.requestId ? byRequest.get(ref.requestId) : undefined;
  if (!e || e.expiresAt < Date.now() - 86_400_000) return null;
  return { pricing: e.pricing, reservationId: e.reservationId };
}

export function forgetPricing(reservationId: bigint, requestId?: string): void {
  const e = byId.get(reservationId);
  byId.delete(reservationId);
  byRequest.delete(requestId ?? e?.requestId ?? "");
}
