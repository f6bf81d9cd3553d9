import { describe, expect, it, beforeEach } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { balances, makeKey, makeUser, requestId, rollupDrift } from "@/tests/factories";
import { auditLedger } from "./audit";
import { computeQuota, resolvePricing, type Pricing } from "./pricing";
import { refund } from "./refund";
import { reserve } from "./reserve";
import { settle } from "./settle";
import { sweepExpiredReservations } from "./sweeper";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const pricing: Pricing = resolvePricing(OPTION_DEFAULTS, {
  model: "gpt-4o",
  userGroup: "default",
  usingGroup: "default",
});
const OWNER = "service:1" as const;
const reserveInput = (userId: number, tokenId: number, estimate: bigint) => ({
  owner: OWNER,
  requestId: requestId(),
  userId,
  tokenId,
  model: "gpt-4o",
  group: "default",
  estimate,
  pricing,
});
const expectAuditClean = async () => expect((await auditLedger()).differences).toEqual([]);

auditLedgerAfterEach();

beforeEach(async () => {
  await setOption("PreConsumeMode", "always");
});

describe("reserve", () => {
  it("holds the estimate on wallet and key, and refuses an empty wallet with insufficient_user_quota", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 5_000n });
    const r = await reserve(reserveInput(u.id, k.id, 1_000n));
    expect(r).toMatchObject({ held: 1_000n, trusted: false, existing: false });
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 9_000n, remain: 4_000n });

    const broke = await makeUser();
    const bk = await makeKey(broke.id);
    await expect(reserve(reserveInput(broke.id, bk.id, 1n))).rejects.toMatchObject({
      code: "insufficient_user_quota",
      status: 403,
    });
    await expectAuditClean();
  });

  it("refuses a key below the estimate with pre_consume_token_quota_failed and leaves the wallet untouched", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 500n });
    await expect(reserve(reserveInput(u.id, k.id, 1_000n))).rejects.toMatchObject({
      code: "pre_consume_token_quota_failed",
      status: 403,
      message: expect.stringContaining("token quota is not enough"),
    });
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 10_000n, remain: 500n });
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(0);
  });

  it("trust mode: no hold when wallet and key are strictly above the threshold", async () => {
    await setOption("PreConsumeMode", "trust");
    const threshold = BigInt(OPTION_DEFAULTS.TrustQuota);
    const rich = await makeUser({ quota: threshold + 1n });
    const unlimited = await makeKey(rich.id);
    const big = await makeKey(rich.id, { unlimitedQuota: false, remainQuota: threshold + 1n });
    const small = await makeKey(rich.id, { unlimitedQuota: false, remainQuota: threshold });
    expect(await reserve(reserveInput(rich.id, unlimited.id, 1_000n))).toMatchObject({ trusted: true, held: 0n });
    expect(await reserve(reserveInput(rich.id, big.id, 1_000n))).toMatchObject({ trusted: true, held: 0n });
    // exactly at the threshold is not above it
    expect(await reserve(reserveInput(rich.id, small.id, 1_000n))).toMatchObject({ trusted: false, held: 1_000n });
    const edge = await makeUser({ quota: threshold });
    const edgeKey = await makeKey(edge.id);
    expect(await reserve(reserveInput(edge.id, edgeKey.id, 1_000n))).toMatchObject({ trusted: false, held: 1_000n });
    await expectAuditClean();
  });

  it("replaying a request id returns the first reservation and holds nothing more", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const input = reserveInput(u.id, k.id, 1_000n);
    const first = await reserve(input);
    const again = await reserve(input);
    expect(again).toMatchObject({ reservationId: first.reservationId, existing: true });
    expect((await balances(u.id, k.id)).quota).toBe(9_000n);
  });

  it("a user with exactly enough for N holds gets exactly N successes", async () => {
    const N = 7;
    const u = await makeUser({ quota: BigInt(N) * 1_000n });
    const k = await makeKey(u.id);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => reserve(reserveInput(u.id, k.id, 1_000n))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(N);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "insufficient_user_quota" });
    expect((await balances(u.id, k.id)).quota).toBe(0n);
    await expectAuditClean();
  });

  it("a key with exactly enough for N holds gets exactly N successes", async () => {
    const u = await makeUser({ quota: 1_000_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 5_000n });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => reserve(reserveInput(u.id, k.id, 1_000n))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 995_000n, remain: 0n });
    await expectAuditClean();
  });
});

describe("settle and refund", () => {
  it("settles actual − held on wallet and key, counts usage and writes one consume log", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 50_000n });
    const r = await reserve(reserveInput(u.id, k.id, 2_000n));
    const quota = computeQuota(pricing, { promptTokens: 1000, completionTokens: 500 }); // 3750
    const s = await settle(OWNER, {
      reservationId: r.reservationId,
      quota,
      promptTokens: 1000,
      completionTokens: 500,
      other: { usage_source: "upstream" },
    });
    expect(s).toMatchObject({ charged: 3_750n, existing: false, userQuota: 96_250n, tokenRemain: 46_250n });
    expect(await balances(u.id, k.id)).toEqual({
      quota: 96_250n,
      usedQuota: 3_750n,
      requestCount: 1n,
      remain: 46_250n,
      keyUsed: 3_750n,
    });
    const log = await db.log.findFirstOrThrow({ where: { type: 2, userId: u.id } });
    expect(log).toMatchObject({
      quota: 3_750n,
      promptTokens: 1000,
      completionTokens: 500,
      requestId: r.requestId,
      tokenName: "test key",
      modelName: "gpt-4o",
    });
    expect(log.other).toMatchObject({
      model_ratio: 1.25,
      completion_ratio: 4,
      group_ratio: 1,
      usage_source: "upstream",
    });
    const rollup = await db.usageRollup.findFirstOrThrow({ where: { userId: u.id } });
    expect(rollup).toMatchObject({ requestCount: 1n, quota: 3_750n, promptTokens: 1000n, completionTokens: 500n });
    await expectAuditClean();
  });

  it("settle may take a balance below zero (the tokens were served); the next reserve is refused", async () => {
    const u = await makeUser({ quota: 1_000n });
    const k = await makeKey(u.id);
    const r = await reserve(reserveInput(u.id, k.id, 1_000n));
    await settle(OWNER, { reservationId: r.reservationId, quota: 5_000n, promptTokens: 4000, completionTokens: 0 });
    expect((await balances(u.id, k.id)).quota).toBe(-4_000n);
    await expect(reserve(reserveInput(u.id, k.id, 1n))).rejects.toMatchObject({ code: "insufficient_user_quota" });
    await expectAuditClean();
  });

  it("a replayed settle or refund charges and returns nothing more", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const r = await reserve(reserveInput(u.id, k.id, 1_000n));
    const first = await settle(OWNER, {
      reservationId: r.reservationId,
      quota: 800n,
      promptTokens: 640,
      completionTokens: 0,
    });
    const replays = await Promise.all(
      Array.from({ length: 10 }, () =>
        settle(OWNER, { reservationId: r.reservationId, quota: 999n, promptTokens: 1, completionTokens: 1 }),
      ),
    );
    for (const again of replays) expect(again).toMatchObject({ existing: true, logId: first.logId, charged: 800n });
    await expect(refund(OWNER, r.reservationId)).rejects.toMatchObject({ code: "reservation_settled" });
    expect((await balances(u.id, k.id)).quota).toBe(9_200n);
    expect(await db.log.count({ where: { type: 2, userId: u.id } })).toBe(1);

    const r2 = await reserve(reserveInput(u.id, k.id, 1_000n));
    const refunds = await Promise.all(Array.from({ length: 10 }, () => refund(OWNER, r2.reservationId, "test")));
    expect(refunds.filter((x) => !x.existing)).toHaveLength(1);
    expect(refunds.reduce((sum, x) => sum + x.returned, 0n)).toBe(1_000n);
    await expect(
      settle(OWNER, { reservationId: r2.reservationId, quota: 1n, promptTokens: 1, completionTokens: 0 }),
    ).rejects.toMatchObject({
      code: "reservation_refunded",
    });
    expect((await balances(u.id, k.id)).quota).toBe(9_200n);
    await expectAuditClean();
  });

  it("refuses bad settle input without changing anything", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const r = await reserve(reserveInput(u.id, k.id, 1_000n));
    await expect(
      settle(OWNER, { reservationId: r.reservationId, quota: -1n, promptTokens: 1, completionTokens: 1 }),
    ).rejects.toMatchObject({ code: "invalid_quota" });
    await expect(
      settle(OWNER, { reservationId: r.reservationId, quota: 1n, promptTokens: -1, completionTokens: 1 }),
    ).rejects.toMatchObject({ code: "invalid_usage" });
    await expect(
      settle(OWNER, { reservationId: r.reservationId, quota: 1n, promptTokens: 1.5, completionTokens: 1 }),
    ).rejects.toMatchObject({ code: "invalid_usage" });
    await expect(
      settle(OWNER, { reservationId: 999_999n, quota: 1n, promptTokens: 1, completionTokens: 1 }),
    ).rejects.toMatchObject({ code: "reservation_not_found" });
    await expect(refund(OWNER, 999_999n)).rejects.toMatchObject({ code: "reservation_not_found" });
    expect((await balances(u.id, k.id)).quota).toBe(9_000n);
    expect(await db.log.count({ where: { type: 2, userId: u.id } })).toBe(0);
  });
});

describe("sweeper", () => {
  it("returns every expired hold with a refund log, charges nothing, and is safe run concurrently", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 100_000n });
    const holds = await Promise.all(Array.from({ length: 20 }, () => reserve(reserveInput(u.id, k.id, 1_000n))));
    const relay = await reserve({ ...reserveInput(u.id, k.id, 2_500n), owner: "relay" });
    const live = await reserve(reserveInput(u.id, k.id, 1_000n));
    expect((await balances(u.id, k.id)).quota).toBe(100_000n - 20_000n - 2_500n - 1_000n);
    await db.reservation.updateMany({
      where: { id: { in: [...holds.map((h) => h.reservationId), relay.reservationId] } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const swept = await Promise.all([
      sweepExpiredReservations(3),
      sweepExpiredReservations(3),
      sweepExpiredReservations(3),
    ]);
    expect(swept.reduce((a, b) => a + b, 0)).toBe(21);
    expect(await sweepExpiredReservations()).toBe(0);
    // every hold back, the relay's too: nothing is charged at an estimate
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 100_000n - 1_000n, usedQuota: 0n, requestCount: 0n });
    expect(await db.log.count({ where: { type: 2, userId: u.id } })).toBe(0);
    const logs = await db.log.findMany({ where: { type: 6, userId: u.id } });
    expect(logs).toHaveLength(21);
    const relayLog = logs.find((l) => l.requestId === relay.requestId)!;
    expect(relayLog).toMatchObject({ quota: 0n, modelName: "gpt-4o", tokenName: "test key" });
    expect(relayLog.other).toMatchObject({ expired: true, estimate: 2500, held_quota: 2500, owner: "relay" });
    expect(await db.reservation.count({ where: { status: 4, userId: u.id } })).toBe(21);
    expect(await db.reservation.count({ where: { status: 1, userId: u.id } })).toBe(1);
    await expectAuditClean();

    // a settle arriving after the sweep (a slow node) charges the real usage in full, once, with a normal consume log
    const late = await settle(OWNER, {
      reservationId: holds[0].reservationId,
      quota: 700n,
      promptTokens: 560,
      completionTokens: 0,
    });
    expect(late).toMatchObject({ charged: 700n, existing: false });
    expect(await balances(u.id, k.id)).toMatchObject({
      quota: 100_000n - 1_000n - 700n,
      usedQuota: 700n,
      requestCount: 1n,
    });
    const again = await settle(OWNER, {
      reservationId: holds[0].reservationId,
      quota: 9_999n,
      promptTokens: 1,
      completionTokens: 1,
    });
    expect(again).toMatchObject({ charged: 700n, existing: true, logId: late.logId });
    const consume = await db.log.findUniqueOrThrow({ where: { id: late.logId } });
    expect(consume.other).toMatchObject({ settled_after_expiry: true });
    await settle(OWNER, { reservationId: live.reservationId, quota: 1_000n, promptTokens: 800, completionTokens: 0 });
    expect((await balances(u.id, k.id)).quota).toBe(100_000n - 1_000n - 700n);
    await expectAuditClean();
  });
});

describe("concurrency", () => {
  it("200 concurrent reserve+settle on one user and one key: wallet Δ == key Δ == Σ consume logs, audit clean", async () => {
    const start = 10_000_000n;
    const u = await makeUser({ quota: start });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: start });
    const expected: bigint[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const prompt = 1 + ((i * 7919) % 3000);
        const completion = (i * 104729) % 2000;
        const quota = computeQuota(pricing, { promptTokens: prompt, completionTokens: completion });
        expected.push(quota);
        const r = await reserve(reserveInput(u.id, k.id, 5_000n));
        await settle(OWNER, {
          reservationId: r.reservationId,
          quota,
          promptTokens: prompt,
          completionTokens: completion,
        });
      }),
    );
    const total = expected.reduce((a, b) => a + b, 0n);
    const b = await balances(u.id, k.id);
    const logged = await db.log.aggregate({ _sum: { quota: true }, _count: true, where: { type: 2, userId: u.id } });
    expect(start - b.quota).toBe(total);
    expect(start - b.remain).toBe(total);
    expect(logged._sum.quota).toBe(total);
    expect(logged._count).toBe(200);
    expect(b).toMatchObject({ usedQuota: total, keyUsed: total, requestCount: 200n });
    await expectAuditClean();
  });
});

describe("ledger audit", () => {
  it("reports a balance changed behind the billing module's back", async () => {
    const u = await makeUser({ quota: 1_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 1_000n });
    await expectAuditClean();
    await db.$executeRaw`UPDATE users SET quota = quota + 1 WHERE id = ${u.id}`;
    await db.$executeRaw`UPDATE tokens SET used_quota = used_quota + 5 WHERE id = ${k.id}`;
    const { differences } = await auditLedger();
    expect(differences).toEqual([
      { kind: "user", id: u.id, name: u.username, field: "quota", actual: "1001", expected: "1000" },
      { kind: "key", id: k.id, name: "test key", field: "used_quota", actual: "5", expected: "0" },
    ]);
    // undone, so the audit after each test finds the ledger clean again
    await db.$executeRaw`UPDATE users SET quota = quota - 1 WHERE id = ${u.id}`;
    await db.$executeRaw`UPDATE tokens SET used_quota = used_quota - 5 WHERE id = ${k.id}`;
  });
});

describe("rollups", () => {
  it("equal the consume logs after everything this file settled, refunded and settled late", async () => {
    expect(await rollupDrift()).toEqual([]);
  });
});
