import "server-only";
import { env } from "@/lib/env";
import { startCleanupWorker, stopCleanupWorker } from "@/lib/logs/retention";
import { pendingSettles, settlesIdle } from "@/lib/quota/settle-queue";
import { startSweeper, stopSweeper } from "@/lib/quota/sweeper";
import { outboxWorker } from "@/lib/notifications/outbox";

/**
 * Background jobs of an app node, started once per process by instrumentation.ts: the reservation
 * sweeper, the log cleanup and the notification outbox (all safe on several nodes at once).
 * TOLLGATE_WORKERS=off leaves them to other nodes.
 * Also publishes the drain that the server (scripts/serve.mjs) runs at a graceful stop.
 */
export function startWorkers(): void {
  (globalThis as { tollgateDrainSettles?: (ms: number) => Promise<number> }).tollgateDrainSettles = drainSettles;
  if (env().TOLLGATE_WORKERS !== "on") return;
  startSweeper();
  startCleanupWorker();
  outboxWorker().start();
}

/** Stops the sweeper and waits up to `ms` for the pending settles; returns how many are left. */
async function drainSettles(ms: number): Promise<number> {
  stopSweeper();
  stopCleanupWorker();
  // sends in flight finish or, if the process ends first, are claimed again once their lease runs out
  void outboxWorker().stop();
  await Promise.race([settlesIdle(), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  return pendingSettles();
}
