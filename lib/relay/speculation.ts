import type { AuthorizedKey } from "@/lib/keys/authorize";
import { onBalanceChange } from "@/lib/quota/events";
import type { Reservation } from "@/lib/quota/reserve";
import type { UpstreamAnswer } from "./upstream";

// When may the upstream call start before the reserve has answered? The reserve is one database
// round trip (~0.5–1 ms) that otherwise sits in front of every upstream call. It can only refuse a
// request whose wallet or key cannot cover the estimate, so when this node saw the user's wallet
// (and the key's budget) recently at several times the estimate, the reserve and the upstream call
// are started together: the reservation statement is sent first, and no byte of the answer reaches
// the client before the reservation is committed. Should the reserve refuse after all, the
// upstream call is aborted and its answer dropped (the rare cost: an upstream call not billed).

const FRESH_MS = 10_000;
const HEADROOM = 4n;
const MAX_USERS = 100_000;

type State = { wallets: Map<number, { quota: bigint; at: number }>; subscribed: boolean };
const g = globalThis as unknown as { tollgateSpeculation?: State };
const state: State = (g.tollgateSpeculation ??= { wallets: new Map(), subscribed: false });

function subscribe() {
  if (state.subscribed) return;
  state.subscribed = true;
  onBalanceChange((c) => {
    if (c.userQuota === undefined || c.userQuota === null) {
      // a credit or refund without the new balance: forget what we knew
      state.wallets.delete(c.userId);
      return;
    }
    if (state.wallets.size >= MAX_USERS) state.wallets.clear();
    state.wallets.set(c.userId, { quota: c.userQuota, at: Date.now() });
  });
}

/** true when the reserve of `estimate` for this key is all but certain to succeed */
export function reserveLikely(key: AuthorizedKey, estimate: bigint): boolean {
  subscribe();
  const w = state.wallets.get(key.userId);
  if (!w || Date.now() - w.at > FRESH_MS) return false;
  const need = (estimate > 0n ? estimate : 1n) * HEADROOM;
  return w.quota >= need && (key.unlimitedQuota || key.remainQuota >= need);
}

/**
 * Starts the upstream call beside a reserve already on its way, and answers only once both are
 * done: `onReserved` learns the reservation as soon as it exists (so a failed call is refunded).
 * Should the reserve refuse, the call is aborted and its answer dropped.
 */
export async function callBesideReserve(
  reserving: Promise<Reservation>,
  call: (signal: AbortSignal) => Promise<UpstreamAnswer>,
  clientSignal: AbortSignal,
  onReserved: (r: Reservation) => void,
): Promise<UpstreamAnswer> {
  const speculation = new AbortController();
  const onClientGone = () => speculation.abort();
  clientSignal.addEventListener("abort", onClientGone, { once: true });
  if (clientSignal.aborted) speculation.abort();
  const calling = call(speculation.signal);
  calling.catch(() => {}); // observed below, after the reserve
  try {
    try {
      onReserved(await reserving);
    } catch (e) {
      speculation.abort();
      void calling.then(dropAnswer, () => {});
      throw e;
    }
    return await calling;
  } finally {
    clientSignal.removeEventListener("abort", onClientGone);
  }
}

/** an answer nobody will see (the reserve refused after the upstream was called) */
function dropAnswer(a: UpstreamAnswer) {
  if (a.kind === "stream") {
    a.abort();
    a.body.cancel().catch(() => {});
  }
}
