import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { balances, makeKey, makeUser, requestId } from "@/tests/factories";
import { auditLedger } from "./audit";
import { resolvePricing } from "./pricing";
import { refund } from "./refund";
import { reserve } from "./reserve";
import { settle, settleBatch } from "./settle";

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
const OWNER = "relay" as const;

describe("settle: a batch of reservations in one statement", () => {
  it("settles each reservation as settle() would, in one transaction, with one result each", async () => {
    await setOption("PreConsumeMode", "always");
    const a = await makeUser({ quota: 100_000n });
    const ak = await makeKey(a.id, { unlimitedQuota: false, remainQuota: 50_000n });
    const b = await makeUser({ quota: 100_000n });
    const bk = await makeKey(b.id);
    const r = async (u: number, k: number, estimate: bigint) =>
      (await reserve({ owner: OWNER, requestId: requestId(), userId: u, tokenId: k, model: "gpt-4o", group: "default", estimate, pricing })).reservationId;
    const [r1, r2, r3, r4, r5] = [await r(b.id, bk.id, 1_000n), await r(a.id, ak.id, 1_000n), await r(a.id, ak.id, 2_000n), await r(a.id, ak.id, 500n), await r(b.id, bk.id, 10n)];
    await refund(OWNER, r4, "test");
    await settle(OWNER, { reservationId: r5, quota: 7n, promptTokens: 1, completionTokens: 1 });
    const item = (reservationId: bigint, userId: number, tokenId: number, quota: bigint) => ({ reservationId, userId, tokenId, quota, promptTokens: 10, completionTokens: 5, other: { usage_source: "upstream" } });

    const results = await settleBatch(OWNER, [
      item(r1, b.id, bk.id, 1_200n), // more than held
      item(r2, a.id, ak.id, 300n), // less than held
      item(r3, a.id, ak.id, 2_000n), // exactly held
      item(r4, a.id, ak.id, 100n), // refunded before
      item(r5, b.id, bk.id, 999n), // settled before: the first charge stands
      item(999_999n, a.id, ak.id, 1n), // no such reservation
      { ...item(r1, b.id, bk.id, 1n), quota: -1n }, // invalid
      item(r2, a.id, ak.id, 300n), // the same reservation twice in one batch
    ]);
    expect(results.map((x) => ("charged" in x ? { charged: x.charged, existing: x.existing } : { code: x.code }))).toEqual([
      { charged: 1_200n, existing: false },
      { charged: 300n, existing: false },
      { charged: 2_000n, existing: false },
      { code: "reservation_refunded" },
      { charged: 7n, existing: true },
      { code: "reservation_not_found" },
      { code: "invalid_quota" },
      { charged: 300n, existing: true },
    ]);
    expect(await balances(a.id, ak.id)).toMatchObject({ quota: 100_000n - 2_300n, remain: 50_000n - 2_300n, usedQuota: 2_300n, requestCount: 2n });
    expect(await balances(b.id, bk.id)).toMatchObject({ quota: 100_000n - 1_207n, usedQuota: 1_207n, requestCount: 2n });
    expect(await db.log.count({ where: { type: 2 } })).toBe(4);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("many concurrent batches on one hot user stay exact", async () => {
    await setOption("PreConsumeMode", "trust");
    const u = await makeUser({ quota: 10n ** 12n });
    const k = await makeKey(u.id);
    const ids: bigint[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push((await reserve({ owner: OWNER, requestId: requestId(), userId: u.id, tokenId: k.id, model: "gpt-4o", group: "default", estimate: 100n, pricing })).reservationId);
    }
    const before = await balances(u.id, k.id);
    const chunks = Array.from({ length: 8 }, (_, c) => ids.filter((_, i) => i % 8 === c));
    await Promise.all(chunks.map((chunk) => settleBatch(OWNER, chunk.map((reservationId) => ({ reservationId, userId: u.id, tokenId: k.id, quota: 3n, promptTokens: 1, completionTokens: 1 })))));
    const after = await balances(u.id, k.id);
    expect(before.quota - after.quota).toBe(600n);
    expect(after.requestCount - before.requestCount).toBe(200n);
    expect((await auditLedger()).differences).toEqual([]);
  });
});
