// The reservation lifecycle (docs/architecture.md): who may move a reservation from one state to
// the next, what each transition charges, and the leases that keep a request's hold alive.
import { beforeEach, describe, expect, it } from "vitest";
import { createChannel } from "@/lib/channels/service";
import { db } from "@/lib/db";
import { authorizeKey } from "@/lib/keys/authorize";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { balances, makeKey, makeUser, requestId, rollupDrift } from "@/tests/factories";
import { auditLedger } from "./audit";
import { holdLease, releaseLease, renewLeases } from "./leases";
import { resolvePricing } from "./pricing";
import { refund } from "./refund";
import { RELAY_OWNER, reserve, type ReservationOwner } from "./reserve";
import { settle } from "./settle";
import { sweepExpiredReservations } from "./sweeper";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
const input = (
  owner: ReservationOwner,
  userId: number,
  tokenId: number,
  estimate: bigint,
  extra: { requestId?: string; model?: string } = {},
) => ({
  owner,
  requestId: extra.requestId ?? requestId(),
  userId,
  tokenId,
  model: extra.model ?? "gpt-4o",
  group: "default",
  estimate,
  pricing,
});
const expectAuditClean = async () => expect((await auditLedger()).differences).toEqual([]);
const expire = (id: bigint) =>
  db.reservation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });

auditLedgerAfterEach();

beforeEach(async () => {
  await setOption("PreConsumeMode", "always");
});

describe("request ids belong to their owner", () => {
  it("the same request id under another owner is another reservation; under the same owner it is a replay or a conflict", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const other = await makeKey(u.id);
    const rid = requestId();
    const a = await reserve(input("service:1", u.id, k.id, 1_000n, { requestId: rid }));
    const b = await reserve(input("service:2", u.id, k.id, 1_000n, { requestId: rid }));
    const c = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n, { requestId: rid }));
    expect(new Set([a.reservationId, b.reservationId, c.reservationId]).size).toBe(3);
    expect(await reserve(input("service:1", u.id, k.id, 1_000n, { requestId: rid }))).toMatchObject({
      reservationId: a.reservationId,
      existing: true,
    });
    await expect(reserve(input("service:1", u.id, other.id, 1_000n, { requestId: rid }))).rejects.toMatchObject({
      code: "request_id_conflict",
      status: 409,
    });
    await expect(
      reserve(input("service:1", u.id, k.id, 1_000n, { requestId: rid, model: "gpt-4o-mini" })),
    ).rejects.toMatchObject({ code: "request_id_conflict" });
    expect((await balances(u.id, k.id)).quota).toBe(7_000n);
    // settle and refund find only the owner's reservation
    await expect(
      settle("service:2", { reservationId: a.reservationId, quota: 1n, promptTokens: 1, completionTokens: 0 }),
    ).rejects.toMatchObject({ code: "reservation_not_found" });
    await expect(refund(RELAY_OWNER, a.reservationId)).rejects.toMatchObject({ code: "reservation_not_found" });
    expect(await db.reservation.findUniqueOrThrow({ where: { id: a.reservationId } })).toMatchObject({ status: 1 });
  });

  it("80 concurrent replays of one reserve return the first reservation, none fails, one hold", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const one = input("service:1", u.id, k.id, 1_000n);
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => reserve(one)));
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed).toEqual([]);
    const ids = new Set(
      results.map((r) => (r as PromiseFulfilledResult<{ reservationId: bigint }>).value.reservationId),
    );
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === "fulfilled" && !r.value.existing)).toHaveLength(1);
    expect((await balances(u.id, k.id)).quota).toBe(9_000n);
    await expectAuditClean();
  });
});

describe("refund and settle: the first to arrive wins forever", () => {
  it("after an expiry, an explicit refund is final and a later settle charges nothing", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const r = await reserve(input("service:1", u.id, k.id, 1_000n));
    await expire(r.reservationId);
    expect(await sweepExpiredReservations()).toBe(1);
    expect(await refund("service:1", r.reservationId, "gave up")).toMatchObject({ returned: 0n, existing: false });
    await expect(
      settle("service:1", { reservationId: r.reservationId, quota: 500n, promptTokens: 400, completionTokens: 0 }),
    ).rejects.toMatchObject({
      code: "reservation_refunded",
    });
    expect(await refund("service:1", r.reservationId)).toMatchObject({ returned: 0n, existing: true });
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 10_000n, usedQuota: 0n });
    expect(await db.reservation.findUniqueOrThrow({ where: { id: r.reservationId } })).toMatchObject({ status: 3 });
    await expectAuditClean();
  });

  it("after an expiry, a settle that comes first stands and a later refund is refused", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const r = await reserve(input("service:1", u.id, k.id, 1_000n));
    await expire(r.reservationId);
    await sweepExpiredReservations();
    await settle("service:1", { reservationId: r.reservationId, quota: 500n, promptTokens: 400, completionTokens: 0 });
    await expect(refund("service:1", r.reservationId)).rejects.toMatchObject({ code: "reservation_settled" });
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 9_500n, usedQuota: 500n, requestCount: 1n });
    await expectAuditClean();
  });
});

describe("leases", () => {
  it("a node renews the leases of its requests in flight, so the sweeper leaves them; a released lease runs out", async () => {
    await setOption("ReservationTtlSeconds", "60");
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    const working = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    const dead = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    holdLease(RELAY_OWNER, working.reservationId);
    try {
      // both leases ran out a moment ago (a long stream); this node still serves one of them
      await expire(working.reservationId);
      await expire(dead.reservationId);
      expect(await renewLeases()).toBe(1);
      const renewed = await db.reservation.findUniqueOrThrow({ where: { id: working.reservationId } });
      expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
      expect(await sweepExpiredReservations()).toBe(1);
      expect(await db.reservation.findUniqueOrThrow({ where: { id: working.reservationId } })).toMatchObject({
        status: 1,
        heldQuota: 1_000n,
      });
      expect(await db.reservation.findUniqueOrThrow({ where: { id: dead.reservationId } })).toMatchObject({
        status: 4,
      });
      expect((await balances(u.id, k.id)).quota).toBe(9_000n);
      // the long request ends: its real usage is charged
      await settle(RELAY_OWNER, {
        reservationId: working.reservationId,
        quota: 1_500n,
        promptTokens: 1000,
        completionTokens: 100,
      });
      expect((await balances(u.id, k.id)).quota).toBe(8_500n);
    } finally {
      releaseLease(working.reservationId);
      await setOption("ReservationTtlSeconds", String(OPTION_DEFAULTS.ReservationTtlSeconds));
    }
    expect(await renewLeases()).toBe(0);
    await expectAuditClean();
  });
});

describe("what moves with a charge", () => {
  it("channel used quota moves only with real charges, on the channel that served", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const [first, served] = await Promise.all(
      ["first", "served"].map((name) =>
        createChannel({ name, baseUrl: "http://127.0.0.1:9", key: "k", models: ["gpt-4o"] }),
      ),
    );
    const swept = await reserve({ ...input(RELAY_OWNER, u.id, k.id, 2_000n), channelId: first.id });
    const late = await reserve({ ...input(RELAY_OWNER, u.id, k.id, 2_000n), channelId: first.id });
    await expire(swept.reservationId);
    await expire(late.reservationId);
    await sweepExpiredReservations();
    const used = async () =>
      Promise.all(
        [first.id, served.id].map(async (id) => (await db.channel.findUniqueOrThrow({ where: { id } })).usedQuota),
      );
    expect(await used()).toEqual([0n, 0n]);
    // the late settle of a request a retry served on the second channel
    await settle(RELAY_OWNER, {
      reservationId: late.reservationId,
      quota: 700n,
      promptTokens: 560,
      completionTokens: 0,
      channelId: served.id,
    });
    expect(await used()).toEqual([0n, 700n]);
    await expectAuditClean();
  });

  it("request_count counts only requests that served tokens", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const empty = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    const served = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    await settle(RELAY_OWNER, { reservationId: empty.reservationId, quota: 0n, promptTokens: 0, completionTokens: 0 });
    await settle(RELAY_OWNER, {
      reservationId: served.reservationId,
      quota: 10n,
      promptTokens: 8,
      completionTokens: 0,
    });
    expect(await balances(u.id, k.id)).toMatchObject({ requestCount: 1n, usedQuota: 10n });
    expect(await db.log.count({ where: { userId: u.id, type: 2 } })).toBe(2);
    await expectAuditClean();
  });

  it("a key whose budget is only held by requests in flight is not marked exhausted", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 1_000n });
    const r = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    expect((await balances(u.id, k.id)).remain).toBe(0n);
    await expect(authorizeKey(k.key, {})).rejects.toMatchObject({
      code: "pre_consume_token_quota_failed",
      status: 403,
    });
    expect(await db.token.findUniqueOrThrow({ where: { id: k.id } })).toMatchObject({ status: 1 });
    // the request fails upstream: its hold comes back and the key works again
    await refund(RELAY_OWNER, r.reservationId, "upstream failed");
    await expect(authorizeKey(k.key, {})).resolves.toMatchObject({ tokenId: k.id });
    // spent for real: now it is exhausted, and persisted so
    const spent = await reserve(input(RELAY_OWNER, u.id, k.id, 1_000n));
    await settle(RELAY_OWNER, {
      reservationId: spent.reservationId,
      quota: 1_000n,
      promptTokens: 800,
      completionTokens: 0,
    });
    await expect(authorizeKey(k.key, {})).rejects.toMatchObject({ code: "token_exhausted" });
    expect(await db.token.findUniqueOrThrow({ where: { id: k.id } })).toMatchObject({ status: 4 });
  });
});

describe("rollups", () => {
  it("equal the consume logs after everything this file settled, refunded and settled late", async () => {
    expect(await rollupDrift()).toEqual([]);
  });
});
