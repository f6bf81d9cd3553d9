import { describe, expect, it } from "vitest";
import { auditQuotaChange } from "@/lib/audit/service";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { createRedemptions } from "@/lib/redemption/service";
import { registerUser } from "@/lib/users/service";
import { makeKey, makeUser } from "@/tests/factories";
import { auditLedger } from "./audit";
import { adjustUserQuota, redeemCode, setKeyRemainQuota, transferAffQuota } from "./credits";
import { MAX_QUOTA } from "./schemas";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const expectAuditClean = async () => expect((await auditLedger()).differences).toEqual([]);
const admin = { id: null, username: "admin" };

auditLedgerAfterEach();

describe("registration rewards", () => {
  it("gives the new user QuotaForNewUser + QuotaForInvitee and the inviter aff credit, with system logs", async () => {
    await setOption("QuotaForNewUser", "1000");
    await setOption("QuotaForInvitee", "300");
    await setOption("QuotaForInviter", "700");
    const inviter = await registerUser({ username: "inviter", password: "password123" });
    const invitee = await registerUser({ username: "invitee", password: "password123", affCode: inviter.affCode });
    const a = await db.user.findUniqueOrThrow({ where: { id: inviter.id } });
    const b = await db.user.findUniqueOrThrow({ where: { id: invitee.id } });
    expect(a).toMatchObject({ quota: 1_000n, affCount: 1, affQuota: 700n, affHistoryQuota: 700n });
    expect(b).toMatchObject({ quota: 1_300n, inviterId: inviter.id });
    expect(await db.log.count({ where: { type: 4, userId: invitee.id } })).toBe(2);
    expect(await db.log.count({ where: { type: 4, userId: inviter.id } })).toBe(2);
    await expectAuditClean();
  });

  it("counts the invitation even when the inviter reward is 0, and ignores an unknown code", async () => {
    await setOption("QuotaForInviter", "0");
    const inviter = await registerUser({ username: "inviter0", password: "password123" });
    await registerUser({ username: "invitee0", password: "password123", affCode: inviter.affCode });
    const lone = await registerUser({ username: "lone", password: "password123", affCode: "NOSUCHCODE" });
    expect(await db.user.findUniqueOrThrow({ where: { id: inviter.id } })).toMatchObject({ affCount: 1, affQuota: 0n });
    expect((await db.user.findUniqueOrThrow({ where: { id: lone.id } })).inviterId).toBeNull();
    await expectAuditClean();
  });

  it("counts 30 concurrent invitations exactly (atomic increments, no lost update)", async () => {
    await setOption("QuotaForInviter", "10");
    const inviter = await registerUser({ username: "popular", password: "password123" });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        registerUser({ username: `fan${i}`, password: "password123", affCode: inviter.affCode }),
      ),
    );
    expect(await db.user.findUniqueOrThrow({ where: { id: inviter.id } })).toMatchObject({
      affCount: 30,
      affQuota: 300n,
      affHistoryQuota: 300n,
    });
    await expectAuditClean();
  });
});

describe("admin quota changes", () => {
  it("adds, subtracts and sets with a reason: a manage log on the target naming the operator, before and after, and an audit row", async () => {
    const u = await makeUser();
    const root = { id: 1, username: "root" };
    const audit = { inTransaction: auditQuotaChange(root) };
    await adjustUserQuota(root, { userId: u.id, mode: "add", amount: 5_000, reason: "welcome credit" }, audit);
    await adjustUserQuota(root, { userId: u.id, mode: "subtract", amount: "1500", reason: "refund reversed" }, audit);
    const set = await adjustUserQuota(
      root,
      { userId: u.id, mode: "set", amount: 10_000_000_000_000n, reason: "contract" },
      { inTransaction: auditQuotaChange(root, "203.0.113.9") },
    );
    expect(set).toMatchObject({ from: 3_500n, to: 10_000_000_000_000n });
    const logs = await db.log.findMany({ where: { userId: u.id, type: 3, operatorId: 1 }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.quota)).toEqual([5_000n, -1_500n, 10_000_000_000_000n - 3_500n]);
    expect(logs[1].other).toMatchObject({ reason: "refund reversed", before: "5000", after: "3500", operator: "root" });
    expect(logs[1].content).toContain("refund reversed");
    expect(logs[2].other).toMatchObject({
      op: { action: "user.quota_override", params: { from: "3500", to: "10000000000000" } },
      reason: "contract",
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(10_000_000_000_000n);
    const audits = await db.adminAudit.findMany({ where: { targetId: String(u.id) }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["user.quota_add", "user.quota_subtract", "user.quota_set"]);
    expect(audits[2]).toMatchObject({
      operatorId: 1,
      operator: "root",
      targetType: "user",
      before: { quota: "3500" },
      after: { quota: "10000000000000", reason: "contract" },
      ip: "203.0.113.9",
    });
    await expectAuditClean();
  });

  it("refuses negative, fractional, zero, huge and non-numeric amounts, an empty reason, an overflowing balance and unknown users, writing nothing", async () => {
    const u = await makeUser({ quota: 100n });
    for (const amount of [-1, 1.5, 0, "12abc", "99999999999999999999", Number.MAX_SAFE_INTEGER + 2]) {
      await expect(adjustUserQuota(admin, { userId: u.id, mode: "add", amount, reason: "x" })).rejects.toMatchObject({
        code: "validation",
      });
    }
    for (const reason of ["", "   "]) {
      await expect(adjustUserQuota(admin, { userId: u.id, mode: "add", amount: 5, reason })).rejects.toMatchObject({
        code: "validation",
        fieldErrors: { reason: expect.any(Array) },
      });
    }
    await expect(
      adjustUserQuota(admin, { userId: u.id, mode: "add", amount: MAX_QUOTA, reason: "too much" }),
    ).rejects.toMatchObject({ code: "quota_out_of_range" });
    await expect(adjustUserQuota(admin, { userId: 987654, mode: "add", amount: 5, reason: "x" })).rejects.toMatchObject(
      {
        code: "user_not_found",
      },
    );
    // the guard of the caller (the role rules) runs on the locked row, and its refusal writes nothing
    await expect(
      adjustUserQuota(
        admin,
        { userId: u.id, mode: "add", amount: 5, reason: "x" },
        {
          assertTarget: () => {
            throw new Error("refused");
          },
        },
      ),
    ).rejects.toThrow("refused");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(100n);
    expect(await db.log.count({ where: { userId: u.id } })).toBe(1);
    // the opening balance of makeUser is the one audit row
    expect(await db.adminAudit.count({ where: { targetId: String(u.id) } })).toBe(1);
  });

  it("writes the caller's audit row in the transaction of the change: when it fails, the balance and the log stay", async () => {
    const u = await makeUser({ quota: 100n });
    await expect(
      adjustUserQuota(
        admin,
        { userId: u.id, mode: "add", amount: 5, reason: "x" },
        {
          inTransaction: async (tx, change) => {
            await auditQuotaChange(admin)(tx, change);
            throw new Error("audit failed");
          },
        },
      ),
    ).rejects.toThrow("audit failed");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(100n);
    expect(await db.log.count({ where: { userId: u.id } })).toBe(1);
    expect(await db.adminAudit.count({ where: { targetId: String(u.id) } })).toBe(1);
  });
});

describe("redemption", () => {
  it("50 concurrent redemptions of one code credit once, with one topup log", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => makeUser()));
    const [code] = await createRedemptions({ id: 1, username: "root" }, { name: "promo", quota: 2_500 });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => redeemCode(users[i % 5].id, code)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "redemption_used" });
    const total = await db.user.aggregate({ _sum: { quota: true }, where: { id: { in: users.map((u) => u.id) } } });
    expect(total._sum.quota).toBe(2_500n);
    expect(await db.log.count({ where: { type: 1 } })).toBe(1);
    expect(await db.redemption.findUniqueOrThrow({ where: { key: code } })).toMatchObject({ status: 3 });
    await expectAuditClean();
  });

  it("refuses expired, disabled, used, unknown and malformed codes, each with its reason, and a quota of 0", async () => {
    const u = await makeUser();
    const [expired] = await createRedemptions(
      { id: 1, username: "root" },
      {
        name: "old",
        quota: 100,
        expiredTime: Math.floor(Date.now() / 1000) + 60,
      },
    );
    await db.redemption.update({
      where: { key: expired },
      data: { expiredTime: BigInt(Math.floor(Date.now() / 1000) - 1) },
    });
    const [disabled] = await createRedemptions({ id: 1, username: "root" }, { name: "off", quota: 100 });
    await db.redemption.update({ where: { key: disabled }, data: { status: 2 } });
    const [used] = await createRedemptions({ id: 1, username: "root" }, { name: "once", quota: 100 });
    await redeemCode(u.id, used);
    const cases: [string, string][] = [
      [expired, "redemption_expired"],
      [disabled, "redemption_disabled"],
      [used, "redemption_used"],
      ["not-a-code", "redemption_not_found"],
      ["0".repeat(32), "redemption_not_found"],
    ];
    for (const [code, reason] of cases) await expect(redeemCode(u.id, code)).rejects.toMatchObject({ code: reason });
    await expect(createRedemptions({ id: 1, username: "root" }, { name: "zero", quota: 0 })).rejects.toMatchObject({
      code: "validation",
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(100n);
  });
});

describe("aff transfer", () => {
  it("50 concurrent transfers never overdraw aff_quota", async () => {
    await setOption("QuotaForNewUser", "0");
    await setOption("QuotaForInvitee", "0");
    await setOption("QuotaForInviter", "1200000");
    const inviter = await registerUser({ username: "transferer", password: "password123" });
    for (let i = 0; i < 3; i++)
      await registerUser({ username: `tr${i}`, password: "password123", affCode: inviter.affCode });
    // aff_quota 3,600,000; each transfer is 1,000,000 (≥ QuotaPerUnit): exactly 3 succeed
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => transferAffQuota(inviter.id, 1_000_000)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "insufficient_aff_quota" });
    expect(await db.user.findUniqueOrThrow({ where: { id: inviter.id } })).toMatchObject({
      affQuota: 600_000n,
      quota: 3_000_000n,
      affHistoryQuota: 3_600_000n,
    });
    await expectAuditClean();
  });

  it("refuses less than QuotaPerUnit and bad amounts", async () => {
    const u = await makeUser();
    await expect(transferAffQuota(u.id, 499_999)).rejects.toMatchObject({ code: "aff_transfer_too_small" });
    await expect(transferAffQuota(u.id, -5)).rejects.toMatchObject({ code: "validation" });
    await expect(transferAffQuota(u.id, "abc")).rejects.toMatchObject({ code: "validation" });
    await expect(transferAffQuota(u.id, 500_000)).rejects.toMatchObject({ code: "insufficient_aff_quota" });
  });
});

describe("key budget edits", () => {
  it("keep the key invariant while the key holds", async () => {
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 1_000n });
    await setKeyRemainQuota(k.id, 5_000n);
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).remainQuota).toBe(5_000n);
    await expectAuditClean();
  });
});
