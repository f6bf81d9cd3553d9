import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { auditLedger } from "@/lib/quota/audit";
import { resolvePricing } from "@/lib/quota/pricing";
import { refund } from "@/lib/quota/refund";
import { RELAY_OWNER, reserve } from "@/lib/quota/reserve";
import { settle } from "@/lib/quota/settle";
import { makeKey, makeUser, requestId, rollupDrift } from "@/tests/factories";
import { cancelLogCleanup, listLogCleanups, runLogCleanups, startLogCleanup } from "./retention";

// Retention deletes history, never money: after a cleanup the audit (logs + checkpoints) still
// matches every balance, while settles go on beside it.

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
const DAY = 86_400_000;

async function spend(userId: number, tokenId: number, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await reserve({
      owner: RELAY_OWNER,
      requestId: requestId(),
      userId,
      tokenId,
      model: "gpt-4o",
      group: "default",
      estimate: 500n,
      pricing,
    });
    if (i % 5 === 4) await refund(RELAY_OWNER, r.reservationId, "test");
    else
      await settle(RELAY_OWNER, {
        reservationId: r.reservationId,
        quota: BigInt(100 + i),
        promptTokens: i % 7 === 0 ? 0 : 10,
        completionTokens: i % 7 === 0 ? 0 : 5,
      });
  }
}

async function expectAuditClean() {
  const a = await auditLedger();
  expect(a.differences).toEqual([]);
}

describe("log retention", () => {
  it("deletes the rows before the date in batches and the audit still holds", async () => {
    await setOption("PreConsumeMode", "always");
    const a = await makeUser({ quota: 1_000_000n });
    const ak = await makeKey(a.id, { unlimitedQuota: false, remainQuota: 500_000n });
    const b = await makeUser({ quota: 1_000_000n });
    const bk = await makeKey(b.id);
    await spend(a.id, ak.id, 30);
    await spend(b.id, bk.id, 12);
    // everything so far happened "ten days ago"
    await db.$executeRaw`UPDATE logs SET created_at = created_at - interval '10 days'`;
    await spend(a.id, ak.id, 6);
    const admin = await makeUser({ role: "admin" });
    const before = await db.log.count();
    const old = await db.log.count({ where: { createdAt: { lt: new Date(Date.now() - 5 * DAY) } } });
    expect(old).toBeGreaterThan(30);
    await expectAuditClean();

    const job = await startLogCleanup(new Date(Date.now() - 5 * DAY), admin);
    expect(job.status).toBe("pending");
    await expect(startLogCleanup(new Date(Date.now() - 5 * DAY), admin)).rejects.toMatchObject({
      code: "cleanup_running",
      status: 409,
    });
    // a settle lands while the cleanup runs (small batches, two workers racing for the job)
    const [deleted1, deleted2] = await Promise.all([
      runLogCleanups({ batch: 7, pauseMs: 1 }),
      runLogCleanups({ batch: 7, pauseMs: 1 }),
      spend(b.id, bk.id, 3),
    ]);
    expect(deleted1 + deleted2).toBe(old);
    const [done] = await listLogCleanups();
    expect(done).toMatchObject({ id: job.id, status: "done", total: String(old), deleted: String(old) });
    expect(await db.log.count({ where: { createdAt: { lt: new Date(Date.now() - 5 * DAY) } } })).toBe(0);
    expect(await db.log.count()).toBe(before - old + 3); // the 3 settles that ran beside it
    const kept = await db.logCheckpoint.aggregate({ _sum: { rows: true } });
    expect(kept._sum.rows).toBe(BigInt(old));
    await expectAuditClean();
    // the rollups keep the history the logs no longer have
    expect((await rollupDrift()).length).toBeGreaterThan(0);
  });

  it("refuses a date in the future, and a cancelled cleanup stops with what it deleted kept consistent", async () => {
    const admin = await makeUser({ role: "admin" });
    await expect(startLogCleanup(new Date(Date.now() + DAY), admin)).rejects.toMatchObject({ code: "validation" });
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    await spend(u.id, k.id, 10);
    await db.$executeRaw`UPDATE logs SET created_at = created_at - interval '3 days' WHERE user_id = ${u.id}`;
    const job = await startLogCleanup(new Date(Date.now() - DAY), admin);
    expect((await cancelLogCleanup(job.id)).status).toBe("cancelled");
    await expect(cancelLogCleanup(job.id)).resolves.toMatchObject({ status: "cancelled" });
    expect(await runLogCleanups({ batch: 2, pauseMs: 0 })).toBe(0);
    expect(await db.log.count({ where: { userId: u.id } })).toBeGreaterThan(0);
    await expectAuditClean();
  });

  it("records who queued and who cancelled a cleanup in the audit trail, with the job", async () => {
    const admin = await makeUser({ role: "admin" });
    const root = await makeUser({ role: "root" });
    const cutoff = new Date(Date.now() - 2 * DAY);
    const rows = () => db.adminAudit.findMany({ where: { action: { startsWith: "log." } }, orderBy: { id: "asc" } });
    const already = (await rows()).length;

    const job = await startLogCleanup(cutoff, admin);
    expect((await db.logCleanup.findUniqueOrThrow({ where: { id: job.id } })).createdBy).toBe(admin.id);
    // refused writes leave no trail: a second cleanup while one is queued, a date in the future
    await expect(startLogCleanup(cutoff, admin)).rejects.toMatchObject({ code: "cleanup_running" });
    await cancelLogCleanup(job.id, root);
    await cancelLogCleanup(job.id, root); // already cancelled: nothing changes, nothing recorded
    await expect(startLogCleanup(new Date(Date.now() + DAY), admin)).rejects.toMatchObject({ code: "validation" });

    const trail = (await rows()).slice(already);
    expect(trail).toEqual([
      expect.objectContaining({
        operatorId: admin.id,
        operator: admin.username,
        action: "log.cleanup_start",
        targetType: "system",
        targetId: `log_cleanup:${job.id}`,
        after: { before: cutoff.toISOString() },
      }),
      expect.objectContaining({
        operatorId: root.id,
        operator: root.username,
        action: "log.cleanup_cancel",
        targetType: "system",
        targetId: `log_cleanup:${job.id}`,
        before: { status: "pending", before: cutoff.toISOString() },
        after: { status: "cancelled", deleted: "0" },
      }),
    ]);
  });

  it("names the command line as the operator when no admin is given", async () => {
    const job = await startLogCleanup(new Date(Date.now() - DAY));
    await cancelLogCleanup(job.id);
    expect((await db.logCleanup.findUniqueOrThrow({ where: { id: job.id } })).createdBy).toBe(0);
    const trail = await db.adminAudit.findMany({
      where: { targetId: `log_cleanup:${job.id}` },
      orderBy: { id: "asc" },
    });
    expect(trail.map((r) => [r.action, r.operatorId, r.operator])).toEqual([
      ["log.cleanup_start", null, "cli"],
      ["log.cleanup_cancel", null, "cli"],
    ]);
  });
});
