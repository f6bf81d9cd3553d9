import "server-only";
import { db } from "@/lib/db";
import { getOptions } from "@/lib/options/service";
import type { Options } from "@/lib/options/schemas";
import { displayOf } from "@/lib/quota/money";
import { quotaToAmount } from "@/lib/quota/money";
import { withRelayKey } from "./mount";

// The OpenAI dashboard billing endpoints as new-api serves them, for tools that
// show a key's balance. With DisplayTokenStatEnabled (default) they describe the key, otherwise
// the user's wallet. Amounts are in the display unit (USD, CNY, or raw quota for TOKENS); these
// are display figures, read fresh from the database.

/** what an unlimited key reports as its limit */
const UNLIMITED_AMOUNT = 100_000_000;

type Balances = {
  remain: bigint;
  used: bigint;
  unlimited: boolean;
  expiredTime: bigint;
  userQuota: bigint;
  userUsed: bigint;
};

/** a key's balances and its user's, read fresh (display figures) */
export async function balancesOf(tokenId: number): Promise<Balances> {
  const rows = await db.$queryRaw<
    {
      remain_quota: bigint;
      used_quota: bigint;
      unlimited_quota: boolean;
      expired_time: bigint;
      quota: bigint;
      user_used: bigint;
    }[]
  >`SELECT t.remain_quota, t.used_quota, t.unlimited_quota, t.expired_time, u.quota, u.used_quota AS user_used
    FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ${tokenId}`;
  const r = rows[0];
  return {
    remain: r.remain_quota,
    used: r.used_quota,
    unlimited: r.unlimited_quota,
    expiredTime: r.expired_time,
    userQuota: r.quota,
    userUsed: r.user_used,
  };
}

function amount(q: bigint, o: Options): number {
  if (o.QuotaDisplayType === "TOKENS") return Number(q);
  return Number(quotaToAmount(q, displayOf(o)).toFixed(6));
}

/** GET /v1/dashboard/billing/subscription */
export const billingSubscription = withRelayKey(
  { path: "/v1/dashboard/billing/subscription", method: "GET" },
  async ({ auth }) => {
    const o = await getOptions();
    const b = await balancesOf(auth.key.tokenId);
    let limit: number;
    if (o.DisplayTokenStatEnabled) limit = b.unlimited ? UNLIMITED_AMOUNT : amount(b.remain + b.used, o);
    else limit = amount(b.userQuota + b.userUsed, o);
    return Response.json({
      object: "billing_subscription",
      has_payment_method: true,
      soft_limit_usd: limit,
      hard_limit_usd: limit,
      system_hard_limit_usd: limit,
      access_until: b.expiredTime === -1n ? 0 : Number(b.expiredTime),
    });
  },
);

/** GET /v1/dashboard/billing/usage: total_usage in hundredths of the display unit (cents) */
export const billingUsage = withRelayKey({ path: "/v1/dashboard/billing/usage", method: "GET" }, async ({ auth }) => {
  const o = await getOptions();
  const b = await balancesOf(auth.key.tokenId);
  const used = o.DisplayTokenStatEnabled ? b.used : b.userUsed;
  const total =
    o.QuotaDisplayType === "TOKENS"
      ? Number(used) * 100
      : Number(quotaToAmount(used, displayOf(o)).mul(100).toFixed(6));
  return Response.json({ object: "list", total_usage: total });
});
