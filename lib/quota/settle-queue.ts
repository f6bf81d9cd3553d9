import "server-only";
import { isAppError } from "@/lib/errors";
import { releaseLease } from "./leases";
import type { ReservationOwner } from "./reserve";
import {
  bareSettle,
  isDataError,
  settleBatch,
  withoutDescription,
  type SettleInput,
  type SettleResult,
} from "./settle";

// Settles that run after the response. The relay reserves before calling the upstream and settles
// once the usage is known; the client does not wait for that settle. Until it has landed, the
// reservation's lease is renewed (leases.ts), so a settle waiting here is never swept.
//
// Group commit: one runner per process takes what is waiting (up to BATCH_MAX, one owner) and
// settles it in one statement (settleBatch). The runner lingers LINGER_MS before a batch that is
// not full, so a steady trickle is settled a few at a time, and under load a busy user's rows are
// locked and committed once per batch instead of once per request.
//
// The settlement API's settles join the same groups (settleAwaited): its caller waits for the
// answer, so those are taken at once, with whatever else is waiting, and never lingered over.
//
// Failures never block the queue: when a batch fails, each of its items is tried alone, so one bad
// item cannot fail the others. An item that fails alone because PostgreSQL refused its data is
// written again with its descriptive fields dropped (the charge stays), and if that is refused too,
// with every optional field dropped (only the charge and the token counts are left). One that still
// fails, or fails for another reason (a lost connection), waits RETRY_DELAYS_MS and goes to the back
// of the queue, its lease renewed all the while; a data error that survives the bare write is logged
// loudly at every retry, since served tokens would go unpaid if it were left to the sweeper.
//
// Bounded: at most MAX_PENDING settles may be outstanding in this process. Above that the response
// (or, for a stream, its end) waits for its own settle, which slows clients down to what the
// database can take instead of letting a queue grow without limit.

const MAX_PENDING = 512;
const BATCH_MAX = 128;
const LINGER_MS = 10;
const RETRY_DELAYS_MS = [50, 250, 1000, 3000, 5000, 5000, 10000, 10000, 30000, 30000];

type Item = {
  owner: ReservationOwner;
  input: SettleInput;
  attempts: number;
  /** what has been dropped after data errors: 0 nothing, 1 the description, 2 every optional field */
  stage: 0 | 1 | 2;
  /** a caller waits for the result (the settlement API): no lingering, no retrying later */
  awaited: boolean;
  done: (r: SettleResult | Error) => void;
};
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
 * Settles what `build` returns (it may count tokens first) and releases the reservation's lease
 * once the settle has landed or failed for good. Never rejects: a settle that cannot be written
 * is logged, and its hold returns through the sweeper.
 */
export function scheduleSettle(
  owner: ReservationOwner,
  /** null for a request served without a reserve (its settle records the reservation) */
  reservationId: bigint | null,
  build: () => Promise<SettleInput>,
  label: string,
): Promise<void> {
  state.pending++;
  return (async () => {
    try {
      const input = await build();
      const result = await new Promise<SettleResult | Error>((done) => {
        state.queue.push({ owner, input, attempts: 0, stage: 0, awaited: false, done });
        void run();
      });
      if (result instanceof Error && !(isAppError(result) && result.code === "reservation_refunded")) {
        console.error(`${label}: settle failed; its hold returns when the reservation expires`, result);
      }
    } catch (e) {
      console.error(`${label}: settle failed; its hold returns when the reservation expires`, e);
    } finally {
      if (reservationId !== null) releaseLease(reservationId);
      state.pending--;
      if (state.pending === 0) for (const resolve of state.idle.splice(0)) resolve();
    }
  })();
}

/**
 * The settle of a caller that waits for its result (the settlement API), grouped with whatever else
 * is waiting: while one batch's statement runs, the next calls gather, so concurrent settles share a
 * commit instead of queueing on the user's row one by one. It does not linger (the caller waits) and
 * is not retried later: a batch that fails is tried item by item, and what still fails is the answer.
 */
export function settleAwaited(owner: ReservationOwner, input: SettleInput): Promise<SettleResult | Error> {
  state.pending++;
  return new Promise<SettleResult | Error>((done) => {
    state.queue.push({ owner, input, attempts: 0, stage: 0, awaited: true, done });
    void run();
  }).finally(() => {
    state.pending--;
    if (state.pending === 0) for (const resolve of state.idle.splice(0)) resolve();
  });
}

async function run(): Promise<void> {
  if (state.running) return;
  state.running = true;
  try {
    while (state.queue.length) {
      if (state.queue.length < BATCH_MAX && !state.queue.some((i) => i.awaited))
        await new Promise((r) => setTimeout(r, LINGER_MS));
      await settleItems(takeBatch());
    }
  } finally {
    state.running = false;
  }
}

/** the first items of one owner and one kind (reservations, or requests served without one): one statement */
function takeBatch(): Item[] {
  const { owner } = state.queue[0];
  const unreserved = state.queue[0].input.unreserved !== undefined;
  let n = 0;
  while (
    n < state.queue.length &&
    n < BATCH_MAX &&
    state.queue[n].owner === owner &&
    (state.queue[n].input.unreserved !== undefined) === unreserved
  )
    n++;
  return state.queue.splice(0, n);
}

async function settleItems(batch: Item[]): Promise<void> {
  try {
    const results = await settleBatch(
      batch[0].owner,
      batch.map((b) => b.input),
    );
    results.forEach((r, i) => batch[i].done(r));
  } catch (e) {
    if (batch.length > 1) {
      // one item may have failed them all: each alone
      for (const item of batch) await settleItems([item]);
      return;
    }
    const [item] = batch;
    item.attempts++;
    if (isDataError(e) && item.stage < 2) {
      item.stage = item.stage === 0 ? 1 : 2;
      item.input = item.stage === 1 ? withoutDescription(item.input) : bareSettle(item.input);
      return settleItems([item]);
    }
    if (item.awaited || item.attempts > RETRY_DELAYS_MS.length) {
      item.done(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (isDataError(e)) {
      const target = item.input.reservationId ?? `request ${item.input.unreserved?.requestId}`;
      console.error(
        `settle of reservation ${target} (${item.input.quota} quota) refused by the database even with every optional field dropped; retry ${item.attempts} of ${RETRY_DELAYS_MS.length}`,
        e,
      );
    }
    setTimeout(
      () => {
        state.queue.push(item);
        void run();
      },
      RETRY_DELAYS_MS[item.attempts - 1],
    ).unref();
  }
}
