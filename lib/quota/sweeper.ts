import "server-only";
import { db } from "@/lib/db";
import { balanceChanged } from "./events";

/**
 * Closes reservations past their expiry (a crashed node, a lost settle call): returns the hold, or
 * for relay reservations charges the estimate. Safe on several nodes at once (SKIP LOCKED).
 */
export async function sweepExpiredReservations(batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db.$queryRaw<{ reservation_id: bigint; returned: bigint; charged: bigint; user_id: number; token_id: number }[]>`
      SELECT * FROM tollgate_sweep(${batch}::int)`;
    for (const r of rows) {
      if (r.returned > 0n || r.charged > 0n) {
        balanceChanged({ kind: "sweep", userId: r.user_id, tokenId: r.token_id, charged: r.charged });
      }
    }
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

const g = globalThis as unknown as { tollgateSweeper?: NodeJS.Timeout };

/** Runs the sweeper every `intervalMs` in this process (idempotent). */
export function startSweeper(intervalMs = 30_000): void {
  if (g.tollgateSweeper) return;
  g.tollgateSweeper = setInterval(() => {
    sweepExpiredReservations().catch((e) => console.error("reservation sweeper failed", e));
  }, intervalMs);
  g.tollgateSweeper.unref();
}

export function stopSweeper(): void {
  if (g.tollgateSweeper) clearInterval(g.tollgateSweeper);
  g.tollgateSweeper = undefined;
}
