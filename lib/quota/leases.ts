import "server-only";
import { getOptions } from "@/lib/options/service";
import type { ReservationOwner } from "./reserve";
import { callBilling } from "./sql";

// Holds are leases (docs/reservations.md). A node that serves a request keeps its reservation here from the
// reserve until its settle or refund has landed, and renews the leases of all of them every
// ReservationRenewSeconds (at most a third of the TTL), in one statement. So a long stream, a slow
// upstream with retries or a settle waiting in the queue never outlives its hold, while the holds
// of a node that died come back to their owners within one TTL and a sweep.

type State = { held: Map<bigint, ReservationOwner>; scheduled: boolean };
const g = globalThis as unknown as { tollgateLeases?: State };
const state: State = (g.tollgateLeases ??= { held: new Map(), scheduled: false });

/** keeps renewing this reservation's lease until release() */
export function holdLease(owner: ReservationOwner, reservationId: bigint): void {
  state.held.set(reservationId, owner);
  if (!state.scheduled) schedule();
}

export function releaseLease(reservationId: bigint): void {
  state.held.delete(reservationId);
}

/** one renewal timer per process, running while any lease is held */
function schedule(): void {
  state.scheduled = true;
  void getOptions()
    .then((o) => Math.min(o.ReservationRenewSeconds, Math.max(1, Math.floor(o.ReservationTtlSeconds / 3))))
    .catch(() => 30)
    .then((seconds) => {
      setTimeout(() => {
        void renewLeases().finally(() => {
          if (state.held.size) schedule();
          else state.scheduled = false;
        });
      }, seconds * 1000).unref();
    });
}

/** Renews every lease this process holds now; returns how many were renewed. */
export async function renewLeases(): Promise<number> {
  const byOwner = new Map<ReservationOwner, string[]>();
  for (const [id, owner] of state.held) {
    const ids = byOwner.get(owner) ?? [];
    ids.push(id.toString());
    byOwner.set(owner, ids);
  }
  if (!byOwner.size) return 0;
  let renewed = 0;
  try {
    const ttl = (await getOptions()).ReservationTtlSeconds;
    for (const [owner, ids] of byOwner) {
      renewed += (await callBilling("SELECT * FROM tollgate_renew($1, $2, $3)", [owner, ids, ttl])).length;
    }
  } catch (e) {
    console.error("renewing reservation leases failed; retrying at the next interval", e);
  }
  return renewed;
}

/**
 * Renews one reservation's lease for its owner (an external relay working on a long request);
 * returns the new expiry, or null when the reservation is not open (or is being closed right now).
 */
export async function renewLease(owner: ReservationOwner, reservationId: bigint): Promise<Date | null> {
  const ttl = (await getOptions()).ReservationTtlSeconds;
  const [row] = await callBilling("SELECT * FROM tollgate_renew($1, $2, $3)", [owner, [reservationId.toString()], ttl]);
  return row ? (row.expires_at as Date) : null;
}
