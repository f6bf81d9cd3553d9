import "server-only";
import { env } from "@/lib/env";
import { startCleanupWorker, stopCleanupWorker } from "@/lib/logs/retention";
import { pendingSettles, settlesIdle } from "@/lib/quota/settle-queue";
import { startSweeper, stopSweeper } from "@/lib/quota/sweeper";

/**
 * Background jobs of an app node, started once per process by instrumentation.ts: the reservation
 * sweeper and the log cleanup (both safe on several nodes at once). TOLLGATE_WORKERS=off leaves them
 * to other nodes.
 * Also publishes the drain that the server (scripts/serve.mjs) runs at a graceful stop.
 */
export function startWorkers(): void {
  (globalThis as { tollgateDrainSettles?: (ms: number) => Promise<number> }).tollgateDrainSettles = drainSettles;
  if (env().TOLLGATE_WORKERS !== "on") return;
  startSweeper();
  startCleanupWorker();
}

/** Stops the sweeper and waits up to `ms` for the pending settles; returns how many are left. */
export async function drainSettles(ms: number): Promise<number> {
  stopSweeper();
  stopCleanupWorker();
  await Promise.race([settlesIdle(), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  return pendingSettles();
}
