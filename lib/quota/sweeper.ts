import "server-only";
import { db } from "@/lib/db";
import { getOptions } from "@/lib/options/service";
import { balanceChanged } from "./events";

/**
 * Returns the holds of reservations whose lease ran out (a dead node, a lost settle call) and
 * marks them expired, each with a refund log row: nothing is ever charged at an estimate. A settle
 * that still arrives later charges the real usage; a refund makes the expiry final. Safe on several
 * nodes at once (SKIP LOCKED).
 */
export async function sweepExpiredReservations(batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db.$queryRaw<{ reservation_id: bigint; returned: bigint; user_id: number; token_id: number }[]>`
      SELECT * FROM tollgate_sweep(${batch}::int)`;
    for (const r of rows) {
      if (r.returned > 0n) balanceChanged({ kind: "sweep", userId: r.user_id, tokenId: r.token_id });
    }
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

const g = globalThis as unknown as { tollgateSweeper?: NodeJS.Timeout | null };

/** Runs the sweeper every ReservationSweepSeconds in this process (idempotent). */
export function startSweeper(): void {
  if (g.tollgateSweeper !== undefined && g.tollgateSweeper !== null) return;
  const tick = async () => {
    let seconds = 30;
    try {
      seconds = (await getOptions()).ReservationSweepSeconds;
      await sweepExpiredReservations();
    } catch (e) {
      console.error("reservation sweeper failed", e);
    }
    if (g.tollgateSweeper === null) return; // stopped meanwhile
    g.tollgateSweeper = setTimeout(tick, seconds * 1000);
    g.tollgateSweeper.unref();
  };
  g.tollgateSweeper = setTimeout(tick, 1000);
  g.tollgateSweeper.unref();
}

export function stopSweeper(): void {
  if (g.tollgateSweeper) clearTimeout(g.tollgateSweeper);
  g.tollgateSweeper = null;
}
