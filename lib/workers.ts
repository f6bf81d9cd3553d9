import "server-only";
import { env } from "@/lib/env";
import { startSweeper } from "@/lib/quota/sweeper";

/**
 * Background jobs of an app node, started once per process by instrumentation.ts: the reservation
 * sweeper (safe on several nodes at once). TOLLGATE_WORKERS=off leaves them to other nodes.
 */
export function startWorkers(): void {
  if (env().TOLLGATE_WORKERS !== "on") return;
  startSweeper();
}
