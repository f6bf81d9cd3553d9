// Settlement after the response. A relay request reserves before calling the upstream (that row
// covers a crash: the sweeper charges its estimate) and settles once the usage is known. The
// client does not wait for that settle — unless too many are already pending: at most
// MAX_PENDING settles may be outstanding in this process; above that the response waits for its
// own settle, which slows clients down to what the database can take instead of letting a queue
// grow without bound (the lock convoy of performance-notes.md). Of the pending settles at most
// MAX_RUNNING talk to the database at once, so they do not take every pooled connection from the
// reserves of new requests, nor pile up on the row locks of a busy user.

const MAX_PENDING = 256;
const MAX_RUNNING = 4;
const RETRY_DELAYS_MS = [100, 500, 2000];

type State = { pending: number; running: number; waiting: (() => void)[]; idle: (() => void)[] };
const g = globalThis as unknown as { tollgateSettleQueue?: State };
const state: State = (g.tollgateSettleQueue ??= { pending: 0, running: 0, waiting: [], idle: [] });

/** true when a settle may still run after the response without the client waiting for it */
export function canDefer(): boolean {
  return state.pending < MAX_PENDING;
}

async function slot(): Promise<void> {
  if (state.running < MAX_RUNNING) {
    state.running++;
    return;
  }
  await new Promise<void>((resolve) => state.waiting.push(resolve));
}

function release() {
  const next = state.waiting.shift();
  if (next) next();
  else state.running--;
}

/**
 * Runs `task` (a settle) with the concurrency limit and retries on errors that `retryable`
 * accepts. Never rejects: a settle that keeps failing is left to the sweeper, which charges the
 * reservation's estimate (charge_on_expiry), so the charge is never lost.
 */
export function schedule(task: () => Promise<unknown>, retryable: (e: unknown) => boolean, label: string): Promise<void> {
  state.pending++;
  const run = async () => {
    for (let attempt = 0; ; attempt++) {
      await slot();
      try {
        await task();
        return;
      } catch (e) {
        if (!retryable(e) || attempt >= RETRY_DELAYS_MS.length) {
          console.error(`${label}: settle failed; the sweeper will charge the estimate when the reservation expires`, e);
          return;
        }
      } finally {
        release();
      }
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
    }
  };
  return run().finally(() => {
    state.pending--;
    if (state.pending === 0) for (const resolve of state.idle.splice(0)) resolve();
  });
}

export function pendingSettles(): number {
  return state.pending;
}

/** resolves when no settle is pending (tests, graceful shutdown) */
export function settlesIdle(): Promise<void> {
  if (state.pending === 0) return Promise.resolve();
  return new Promise((resolve) => state.idle.push(resolve));
}
