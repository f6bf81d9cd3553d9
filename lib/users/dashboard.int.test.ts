import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listRecentRequests } from "@/lib/logs/queries";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { resolvePricing } from "@/lib/quota/pricing";
import { reserve } from "@/lib/quota/reserve";
import { settle } from "@/lib/quota/settle";
import { makeKey, makeUser, requestId } from "@/tests/factories";
import { getDashboard } from "./queries";
import { registerUser } from "./service";

// What the dashboard reads: the wallet, used quota and request count that billing keeps on the
// user row, the invitation figures that sign-ups through the user's link move, and the newest
// consume logs. Written through the billing module and registration, as in production.

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });

/** one request charged as the relay charges it: a reservation, then its settlement */
async function charge(userId: number, tokenId: number, model: string, quota: bigint, tokens: [number, number]) {
  const { reservationId } = await reserve({
    owner: "relay",
    requestId: requestId(),
    userId,
    tokenId,
    model,
    group: "default",
    estimate: quota,
    pricing,
  });
  await settle("relay", { reservationId, quota, promptTokens: tokens[0], completionTokens: tokens[1] });
}

describe("the dashboard's figures", () => {
  it("balance, used quota, request count, invitation rewards and count, and the newest consume rows", async () => {
    await setOption("QuotaForInviter", "250000");
    try {
      const u = await makeUser({ quota: 5_000_000n }); // $10
      const k = await makeKey(u.id, { name: "prod" });
      const other = await makeUser({ quota: 1_000_000n });
      const otherKey = await makeKey(other.id, { name: "theirs" });

      const empty = await getDashboard(u.id);
      expect(empty).toMatchObject({
        balance: "$10.00",
        usedQuota: "$0.00",
        requestCount: "0",
        affCount: 0,
        affQuota: "$0.00",
        raw: { quota: "5000000", usedQuota: "0", affQuota: "0", affHistoryQuota: "0" },
      });
      expect(await listRecentRequests(u.id)).toEqual([]);

      // seven requests; someone else's never shows
      for (let i = 1; i <= 7; i++)
        await charge(u.id, k.id, i % 2 ? "gpt-4o" : "gpt-4o-mini", BigInt(i * 1000), [i * 10, i]);
      await charge(other.id, otherKey.id, "gpt-4o", 99_000n, [1, 1]);
      // two people sign up through the user's link
      for (const name of ["inv1", "inv2"]) {
        await registerUser({ username: `${name}x${u.id}`, password: "password123", affCode: empty!.affCode });
      }

      const d = await getDashboard(u.id);
      // 1000 + 2000 + … + 7000 = 28,000 quota spent
      expect(d).toMatchObject({
        balance: "$9.944",
        usedQuota: "$0.056",
        requestCount: "7",
        affCount: 2,
        affQuota: "$1.00",
        affHistoryQuota: "$1.00",
        raw: { quota: "4972000", usedQuota: "28000", affQuota: "500000", affHistoryQuota: "500000" },
      });

      const recent = await listRecentRequests(u.id, 5);
      expect(recent.map((r) => [r.modelName, r.quota, r.promptTokens, r.completionTokens])).toEqual([
        ["gpt-4o", "7000", 70, 7],
        ["gpt-4o-mini", "6000", 60, 6],
        ["gpt-4o", "5000", 50, 5],
        ["gpt-4o-mini", "4000", 40, 4],
        ["gpt-4o", "3000", 30, 3],
      ]);
      expect(recent.every((r) => r.tokenName === "prod")).toBe(true);
      expect(Date.parse(recent[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(recent[4].createdAt));
      // only consume rows: the wallet's credit (a manage log) is not a request
      expect(await db.log.count({ where: { userId: u.id, type: { not: 2 } } })).toBeGreaterThan(0);
      expect(await listRecentRequests(u.id, 50)).toHaveLength(7);
    } finally {
      await setOption("QuotaForInviter", "0");
    }
  });

  it("shows the amounts in the admin's display unit: CNY through the exchange rate, or raw quota", async () => {
    const u = await makeUser({ quota: 1_250_000n });
    try {
      await setOption("QuotaDisplayType", "CNY");
      await setOption("USDExchangeRate", "7");
      expect(await getDashboard(u.id)).toMatchObject({ balance: "¥17.50", raw: { quota: "1250000" } });
      await setOption("QuotaDisplayType", "TOKENS");
      expect(await getDashboard(u.id)).toMatchObject({ balance: "1,250,000 tokens", usedQuota: "0 tokens" });
    } finally {
      await setOption("QuotaDisplayType", "USD");
      await setOption("USDExchangeRate", "7.3");
    }
  });

  it("is null for a user that does not exist", async () => {
    expect(await getDashboard(2_000_000_000)).toBeNull();
  });
});
