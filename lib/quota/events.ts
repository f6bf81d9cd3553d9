// The post-commit hook of the billing core. Every function in lib/quota that changed a balance
// calls `balanceChanged` after its transaction committed; caches (key and user lookups) and
// notifications subscribe here. Listeners run synchronously and must not throw or block: they
// schedule their own work.

export type BalanceChange = {
  kind: "reserve" | "settle" | "refund" | "sweep" | "credit" | "admin" | "redeem" | "aff_transfer" | "register";
  userId: number;
  tokenId?: number | null;
  /** wallet balance after the change, when the statement returned it */
  userQuota?: bigint | null;
  /** key's remain_quota after the change, when the statement returned it */
  tokenRemain?: bigint | null;
  /** quota charged (settle) */
  charged?: bigint;
};

type Listener = (change: BalanceChange) => void;
const g = globalThis as unknown as { tollgateBalanceListeners?: Set<Listener> };
const listeners = (g.tollgateBalanceListeners ??= new Set());

export function onBalanceChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function balanceChanged(change: BalanceChange): void {
  for (const l of listeners) {
    try {
      l(change);
    } catch (e) {
      console.error("balance listener failed", e);
    }
  }
}
