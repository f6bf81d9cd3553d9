import { isAppError } from "@/lib/errors";
import { settleBatch, type BatchItem } from "@/lib/quota/settle-batch";
import type { SettleInput } from "@/lib/quota/settle";

// Settlement after the response. A relay request reserves before calling the upstream (that row
// covers a crash: the sweeper charges its estimate) and settles once the usage is known; the
// client does not wait for that settle.
//
// Settles are group-committed: one runner per process takes everything waiting (up to BATCH_MAX)
// and settles it in one statement and transaction (lib/quota/settle-batch). The runner lingers
// LINGER_MS before a batch that is not full, so even a steady trickle is settled a few at a time;
// under heavy load batches grow, so a busy user's rows are locked and committed once per batch
// instead of once per request (the lock convoy of performance-notes.md). Nobody waits for the
// linger: the response is already sent, and the reservation covers a crash meanwhile.
//
// Bounded: at most MAX_PENDING settles may be outstanding in this process. Above that the response
// (or, for a stream, its end) waits for its own settle, which slows clients down to what the
// database can take instead of letting a queue grow without limit.

const MAX_PENDING = 512;
const BATCH_MAX = 128;
const LINGER_MS = 10;
const RETRY_DELAYS_MS = [50, 250, 1000, 3000];

export type SettleRequest = SettleInput & { userId: number; tokenId: number };

type Item = { input: SettleRequest; attempts: number; solo: boolean; done: (r: BatchItem | Error) => void };
type State = { pending: number; queue: Item[]; running: boolean; idle: (() => void)[] };
const g = globalThis as unknown as { tollgateSettleQueue?: State };
const state: State = (g.tollgateSettleQueue ??= { pending: 0, queue: [], running: false, idle: [] });

/** true when one more settle may run after the response without the client waiting for it */
export function canDefer(): boolean {
  return state.pending < MAX_PENDING;
}

export function pendingSettles(): number {
  return state.pending;
}

/** resolves when no settle is pending (tests, graceful shutdown) */
export function settlesIdle(): Promise<void> {
  if (state.pending === 0) return Promise.resolve();
  return new Promise((resolve) => state.idle.push(resolve));
}

/**
 * Settles what `build` returns (it may count tokens first). Never rejects: a settle that keeps
 * failing is logged and left to the sweeper, which charges the reservation's estimate when it
 * expires (charge_on_expiry), so the charge is never lost.
 */
export function scheduleSettle(build: () => Promise<SettleRequest>, label: string): Promise<void> {
  state.pending++;
  return (async () => {
    try {
      const input = await build();
      const result = await new Promise<BatchItem | Error>((done) => {
        state.queue.push({ input, attempts: 0, solo: false, done });
        void run();
      });
      if (result instanceof Error && !(isAppError(result) && result.code === "reservation_refunded")) {
        console.error(`${label}: settle failed; the sweeper will charge the estimate when the reservation expires`, result);
      }
    } catch (e) {
      console.error(`${label}: settle failed; the sweeper will charge the estimate when the reservation expires`, e);
    } finally {
      state.pending--;
      if (state.pending === 0) for (const resolve of state.idle.splice(0)) resolve();
    }
  })();
}

async function run(): Promise<void> {
  if (state.running) return;
  state.running = true;
  try {
    while (state.queue.length) {
      if (state.queue.length < BATCH_MAX) await new Promise((r) => setTimeout(r, LINGER_MS));
      // an item that failed inside a batch goes alone, so one bad input cannot block the others
      const batch = state.queue[0].solo ? state.queue.splice(0, 1) : takeBatch();
      try {
        const results = await settleBatch(batch.map((b) => b.input));
        results.forEach((r, i) => batch[i].done(r));
      } catch (e) {
        const retry: Item[] = [];
        for (const item of batch) {
          item.attempts++;
          item.solo = batch.length > 1 || item.solo;
          if (item.attempts > RETRY_DELAYS_MS.length) item.done(e instanceof Error ? e : new Error(String(e)));
          else retry.push(item);
        }
        if (retry.length) {
          await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[Math.min(...retry.map((i) => i.attempts)) - 1]));
          state.queue.unshift(...retry);
        }
      }
    }
  } finally {
    state.running = false;
  }
}

function takeBatch(): Item[] {
  let n = 0;
  while (n < state.queue.length && n < BATCH_MAX && !state.queue[n].solo) n++;
  return state.queue.splice(0, n);
}
