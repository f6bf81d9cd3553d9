import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { balances, makeKey, makeUser, requestId, rollupDrift } from "@/tests/factories";
import { auditLedger } from "./audit";
import { resolvePricing } from "./pricing";
import { refund } from "./refund";
import { reserve } from "./reserve";
import { createChannel } from "@/lib/channels/service";
import { settle, settleBatch } from "./settle";
import { scheduleSettle, settlesIdle } from "./settle-queue";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
const OWNER = "relay" as const;

auditLedgerAfterEach();

describe("settle: a batch of reservations in one statement", () => {
  it("settles each reservation as settle() would, in one transaction, with one result each", async () => {
    await setOption("PreConsumeMode", "always");
    const a = await makeUser({ quota: 100_000n });
    const ak = await makeKey(a.id, { unlimitedQuota: false, remainQuota: 50_000n });
    const b = await makeUser({ quota: 100_000n });
    const bk = await makeKey(b.id);
    const r = async (u: number, k: number, estimate: bigint) =>
      (
        await reserve({
          owner: OWNER,
          requestId: requestId(),
          userId: u,
          tokenId: k,
          model: "gpt-4o",
          group: "default",
          estimate,
          pricing,
        })
      ).reservationId;
    const [r1, r2, r3, r4, r5] = [
      await r(b.id, bk.id, 1_000n),
      await r(a.id, ak.id, 1_000n),
      await r(a.id, ak.id, 2_000n),
      await r(a.id, ak.id, 500n),
      await r(b.id, bk.id, 10n),
    ];
    await refund(OWNER, r4, "test");
    await settle(OWNER, { reservationId: r5, quota: 7n, promptTokens: 1, completionTokens: 1 });
    const item = (reservationId: bigint, userId: number, tokenId: number, quota: bigint) => ({
      reservationId,
      userId,
      tokenId,
      quota,
      promptTokens: 10,
      completionTokens: 5,
      other: { usage_source: "upstream" },
    });

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
    expect(
      results.map((x) => ("charged" in x ? { charged: x.charged, existing: x.existing } : { code: x.code })),
    ).toEqual([
      { charged: 1_200n, existing: false },
      { charged: 300n, existing: false },
      { charged: 2_000n, existing: false },
      { code: "reservation_refunded" },
      { charged: 7n, existing: true },
      { code: "reservation_not_found" },
      { code: "invalid_quota" },
      { charged: 300n, existing: true },
    ]);
    expect(await balances(a.id, ak.id)).toMatchObject({
      quota: 100_000n - 2_300n,
      remain: 50_000n - 2_300n,
      usedQuota: 2_300n,
      requestCount: 2n,
    });
    expect(await balances(b.id, bk.id)).toMatchObject({
      quota: 100_000n - 1_207n,
      usedQuota: 1_207n,
      requestCount: 2n,
    });
    expect(await db.log.count({ where: { type: 2 } })).toBe(4);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("many concurrent batches on one hot user stay exact", async () => {
    await setOption("PreConsumeMode", "trust");
    const u = await makeUser({ quota: 10n ** 12n });
    const k = await makeKey(u.id);
    const ids: bigint[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push(
        (
          await reserve({
            owner: OWNER,
            requestId: requestId(),
            userId: u.id,
            tokenId: k.id,
            model: "gpt-4o",
            group: "default",
            estimate: 100n,
            pricing,
          })
        ).reservationId,
      );
    }
    const before = await balances(u.id, k.id);
    const chunks = Array.from({ length: 8 }, (_, c) => ids.filter((_, i) => i % 8 === c));
    await Promise.all(
      chunks.map((chunk) =>
        settleBatch(
          OWNER,
          chunk.map((reservationId) => ({
            reservationId,
            userId: u.id,
            tokenId: k.id,
            quota: 3n,
            promptTokens: 1,
            completionTokens: 1,
          })),
        ),
      ),
    );
    const after = await balances(u.id, k.id);
    expect(before.quota - after.quota).toBe(600n);
    expect(after.requestCount - before.requestCount).toBe(200n);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("cleans and truncates what comes from upstream before it reaches the log", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const id = (
      await reserve({
        owner: OWNER,
        requestId: requestId(),
        userId: u.id,
        tokenId: k.id,
        model: "gpt-4o",
        group: "default",
        estimate: 10n,
        pricing,
      })
    ).reservationId;
    const s = await settle(OWNER, {
      reservationId: id,
      quota: 5n,
      promptTokens: 4,
      completionTokens: 0,
      upstreamRequestId: "req\u0000-" + "x".repeat(500),
      ip: "1".repeat(100),
      content: "a\u0000b\ud800c",
      other: { upstream_note: "nul\u0000inside", "key\u0000": 1 },
    });
    const log = await db.log.findUniqueOrThrow({ where: { id: s.logId } });
    expect(log.upstreamRequestId).toBe("req-" + "x".repeat(124));
    expect(log.ip).toHaveLength(64);
    expect(log.content).toBe("ab\ufffdc");
    expect(log.other).toMatchObject({ upstream_note: "nulinside", key: 1 });
  });

  it("a settle PostgreSQL refuses is tried alone, then written without its description; it never blocks the others", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const ids: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await reserve({
            owner: OWNER,
            requestId: requestId(),
            userId: u.id,
            tokenId: k.id,
            model: "gpt-4o",
            group: "default",
            estimate: 100n,
            pricing,
          })
        ).reservationId,
      );
    }
    // a log row PostgreSQL refuses for its data (what an odd upstream value once did)
    await db.$executeRawUnsafe(`CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content = 'poison' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER test_poison BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION test_poison()`,
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const started = Date.now();
      ids.forEach(
        (reservationId, i) =>
          void scheduleSettle(
            OWNER,
            reservationId,
            async () => ({
              reservationId,
              quota: 40n + BigInt(i),
              promptTokens: 30,
              completionTokens: 0,
              content: i === 1 ? "poison" : "fine",
              upstreamRequestId: "up-1",
              other: { usage_source: "upstream", frt: 12 },
            }),
            "test",
          ),
      );
      await settlesIdle();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      console.error = original;
      await db.$executeRawUnsafe(`DROP TRIGGER test_poison ON logs`);
      await db.$executeRawUnsafe(`DROP FUNCTION test_poison()`);
    }
    expect(errors).toEqual([]);
    const rows = await db.reservation.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.chargedQuota])).toEqual([
      [2, 40n],
      [2, 41n],
      [2, 42n],
    ]);
    const poisoned = await db.log.findUniqueOrThrow({ where: { id: rows[1].logId! } });
    expect(poisoned).toMatchObject({ quota: 41n, upstreamRequestId: "", content: expect.stringContaining("dropped") });
    expect(poisoned.other).toMatchObject({ usage_source: "upstream", model_ratio: 1.25 });
    expect(poisoned.other).not.toHaveProperty("frt");
    expect((await auditLedger()).differences).toEqual([]);
  });

  /** reserves `n` holds of 100 for one new user; the ids */
  async function holds(n: number) {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const ids: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const r = await reserve({
        owner: OWNER,
        requestId: requestId(),
        userId: u.id,
        tokenId: k.id,
        model: "gpt-4o",
        group: "default",
        estimate: 100n,
        pricing,
      });
      ids.push(r.reservationId);
    }
    return { u, ids };
  }

  /** settles through the queue while log rows matching `refuse` (SQL on NEW) are refused for their data */
  async function settleWithPoison(ids: bigint[], refuse: string) {
    await db.$executeRawUnsafe(`CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF ${refuse} THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF; RETURN NEW; END $$`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER test_poison BEFORE INSERT ON logs FOR EACH ROW EXECUTE FUNCTION test_poison()`,
    );
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      ids.forEach(
        (reservationId, i) =>
          void scheduleSettle(
            OWNER,
            reservationId,
            async () => ({
              reservationId,
              quota: 40n + BigInt(i),
              promptTokens: 30,
              completionTokens: 5,
              useTimeMs: 2500,
              content: "fine",
              upstreamRequestId: "up-1",
              other: { usage_source: "upstream", frt: 12 },
            }),
            "test",
          ),
      );
      await settlesIdle();
    } finally {
      console.error = original;
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_poison ON logs`);
      await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_poison()`);
      await db.$executeRawUnsafe(`DROP SEQUENCE IF EXISTS test_poison_seq`);
    }
    return errors;
  }

  it("when the settle without its description is refused too, it is written with every optional field dropped, never left to the sweeper", async () => {
    const { ids } = await holds(3);
    // refused while it carries its duration (which the stripped retry keeps)
    const errors = await settleWithPoison(ids, `NEW.quota = 41 AND NEW.use_time > 0`);
    expect(errors).toEqual([]);
    const rows = await db.reservation.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.chargedQuota])).toEqual([
      [2, 40n],
      [2, 41n],
      [2, 42n],
    ]);
    const bare = await db.log.findUniqueOrThrow({ where: { id: rows[1].logId! } });
    expect(bare).toMatchObject({
      type: 2,
      quota: 41n,
      promptTokens: 30,
      completionTokens: 5,
      upstreamRequestId: "",
      content: expect.stringContaining("dropped"),
    });
    expect(bare.useTime).toBe(0);
    expect(bare.other).not.toHaveProperty("use_time_ms");
    expect(bare.other).not.toHaveProperty("frt");
  });

  it("a settle refused even bare is retried, said loudly, and lands once the database takes it", async () => {
    const { ids } = await holds(1);
    // refused four times (alone, stripped, bare, and its first retry), then accepted
    await db.$executeRawUnsafe(`CREATE SEQUENCE test_poison_seq`);
    const errors = await settleWithPoison(ids, `nextval('test_poison_seq') <= 4`);
    const loud = errors.filter((e) => String(e[0]).includes("even with every optional field dropped"));
    expect(loud.length).toBe(2);
    expect(String(loud[0][0])).toContain(`reservation ${ids[0]} (40 quota)`);
    expect(errors.filter((e) => String(e[0]).includes("settle failed"))).toEqual([]);
    const row = await db.reservation.findUniqueOrThrow({ where: { id: ids[0] } });
    expect([row.status, row.chargedQuota]).toEqual([2, 40n]);
  });

  it("two batches of two nodes that share channels never deadlock (100 rounds)", async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => makeUser({ quota: 10n ** 9n })));
    const keys = await Promise.all(users.map((u) => makeKey(u.id)));
    const [c1, c2] = await Promise.all(
      ["c1", "c2"].map((name) => createChannel({ name, baseUrl: "http://127.0.0.1:9", key: "k", models: ["gpt-4o"] })),
    );
    const item = (reservationId: bigint, channelId: number) => ({
      reservationId,
      quota: 3n,
      promptTokens: 2,
      completionTokens: 0,
      channelId,
    });
    for (let round = 0; round < 100; round++) {
      const r = await Promise.all(
        users.map(
          async (u, i) =>
            (
              await reserve({
                owner: OWNER,
                requestId: requestId(),
                userId: u.id,
                tokenId: keys[i].id,
                model: "gpt-4o",
                group: "default",
                estimate: 10n,
                pricing,
              })
            ).reservationId,
        ),
      );
      // one batch meets channel 1 then 2, the other 2 then 1
      const [a, b] = await Promise.all([
        settleBatch(OWNER, [item(r[0], c1.id), item(r[1], c2.id)]),
        settleBatch(OWNER, [item(r[2], c2.id), item(r[3], c1.id)]),
      ]);
      for (const x of [...a, ...b]) expect(x).toMatchObject({ charged: 3n });
    }
    const used = await db.channel.findMany({ where: { id: { in: [c1.id, c2.id] } } });
    expect(used.map((c) => c.usedQuota)).toEqual([600n, 600n]);
    expect((await auditLedger()).differences).toEqual([]);
  });
});

describe("rollups", () => {
  it("equal the consume logs after everything this file settled, refunded and settled late", async () => {
    expect(await rollupDrift()).toEqual([]);
  });
});
