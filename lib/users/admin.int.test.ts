import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { onInvalidate } from "@/lib/cache/bus";
import { setOption } from "@/lib/options/service";
import { auditLedger } from "@/lib/quota/audit";
import { makeKey, makeUser, settleRequest } from "@/tests/factories";
import { adjustQuotaAsAdmin, createUserAsAdmin, updateUserAsAdmin, type AdminOperator } from "./admin";
import { listAdminUsers } from "./admin-queries";
import { ROLE } from "./schemas";

// The admin console's user services against the database: the role rules on the locked row,
// field errors that save nothing, and the audit row of every write.

const asOperator = (u: { id: number; username: string }, role: number): AdminOperator => ({ ...u, role });

let root: AdminOperator;
let admin: AdminOperator;

beforeEach(async () => {
  root = asOperator(await makeUser({ role: "root" }), ROLE.root);
  admin = asOperator(await makeUser({ role: "admin" }), ROLE.admin);
});

const row = (id: number) => db.user.findUniqueOrThrow({ where: { id } });
const auditsOf = (id: number) =>
  db.adminAudit.findMany({ where: { targetType: "user", targetId: String(id) }, orderBy: { id: "asc" } });

describe("create", () => {
  it("an admin creates a user (audit row without the password); only root creates admins", async () => {
    const u = await createUserAsAdmin(
      admin,
      { username: "carol", password: "password123", email: "Carol@Example.com", group: "vip", remark: "reseller" },
      { ip: "198.51.100.4" },
    );
    expect(u).toMatchObject({ username: "carol", role: "user", group: "vip", email: "carol@example.com", quota: "0" });
    const [audit] = await auditsOf(u.id);
    expect(audit).toMatchObject({ action: "user.create", operator: admin.username, ip: "198.51.100.4" });
    expect(JSON.stringify(audit.after)).not.toContain("password123");
    await expect(
      createUserAsAdmin(admin, { username: "dave", password: "password123", role: "admin" }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(await createUserAsAdmin(root, { username: "erin", password: "password123", role: "admin" })).toMatchObject({
      role: "admin",
    });
    expect(await db.user.count({ where: { username: "dave" } })).toBe(0);
  });

  it("refuses an unknown group, a taken email and a bad username with field errors, saving nothing", async () => {
    await createUserAsAdmin(admin, { username: "frank", password: "password123", email: "f@example.com" });
    const count = await db.user.count();
    await expect(
      createUserAsAdmin(admin, { username: "gina", password: "password123", group: "nosuchgroup" }),
    ).rejects.toMatchObject({ code: "unknown_group", fieldErrors: { group: expect.any(Array) } });
    await expect(
      createUserAsAdmin(admin, { username: "gina", password: "password123", email: "F@EXAMPLE.com" }),
    ).rejects.toMatchObject({ code: "email_taken", fieldErrors: { email: expect.any(Array) } });
    await expect(createUserAsAdmin(admin, { username: "no spaces", password: "password123" })).rejects.toMatchObject({
      code: "validation",
    });
    expect(await db.user.count()).toBe(count);
  });
});

describe("edit and the role rules", () => {
  it("records before and after of the changed fields only; an edit that changes nothing writes nothing", async () => {
    const u = await makeUser();
    await updateUserAsAdmin(admin, { id: u.id, displayName: "Ursula", group: "vip", remark: "", status: "enabled" });
    const audits = await auditsOf(u.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      action: "user.update",
      before: { displayName: u.username, group: "default" },
      after: { displayName: "Ursula", group: "vip" },
    });
    await updateUserAsAdmin(admin, { id: u.id, displayName: "Ursula" });
    expect(await auditsOf(u.id)).toHaveLength(1);
  });

  it("refuses an unknown group (the current one may stay even when it is no longer known)", async () => {
    const u = await makeUser({ group: "legacy" });
    await expect(updateUserAsAdmin(admin, { id: u.id, group: "nosuchgroup" })).rejects.toMatchObject({
      code: "unknown_group",
    });
    await updateUserAsAdmin(admin, { id: u.id, group: "legacy", remark: "kept" });
    expect(await row(u.id)).toMatchObject({ group: "legacy", remark: "kept" });
    await setOption("GroupRatio", JSON.stringify({ default: 1, legacy: 2 }));
    await updateUserAsAdmin(admin, { id: u.id, group: "default" });
    expect((await row(u.id)).group).toBe("default");
  });

  it("an admin cannot edit, disable or top up an admin, a root or themselves, nor promote anyone", async () => {
    const other = asOperator(await makeUser({ role: "admin" }), ROLE.admin);
    const user = await makeUser();
    const before = await Promise.all([row(root.id), row(other.id), row(admin.id), row(user.id)]);
    for (const target of [root, other, admin]) {
      await expect(updateUserAsAdmin(admin, { id: target.id, remark: "x" })).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(updateUserAsAdmin(admin, { id: target.id, status: "disabled" })).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(
        adjustQuotaAsAdmin(admin, { userId: target.id, mode: "add", amount: "1", reason: "x" }),
      ).rejects.toMatchObject({ code: "forbidden" });
    }
    await expect(updateUserAsAdmin(admin, { id: user.id, role: "admin" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await Promise.all([row(root.id), row(other.id), row(admin.id), row(user.id)])).toEqual(before);
    expect(await db.adminAudit.count({ where: { operatorId: admin.id } })).toBe(0);
  });

  it("root promotes and demotes admins; nobody changes their own role; the last root stays", async () => {
    // the roots of earlier tests step aside: `root` is the only enabled one
    await db.user.updateMany({ where: { role: ROLE.root, id: { not: root.id } }, data: { status: 2 } });
    const user = await makeUser();
    await updateUserAsAdmin(root, { id: user.id, role: "admin" });
    expect((await row(user.id)).role).toBe(ROLE.admin);
    await updateUserAsAdmin(root, { id: user.id, role: "user" });
    expect((await row(user.id)).role).toBe(ROLE.user);
    await expect(updateUserAsAdmin(root, { id: root.id, role: "admin" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateUserAsAdmin(root, { id: root.id, status: "disabled" })).rejects.toMatchObject({
      code: "forbidden",
    });
    // a second root may demote the first; the first, now an admin, can no longer touch the second
    const second = asOperator(await makeUser({ role: "root" }), ROLE.root);
    await updateUserAsAdmin(second, { id: root.id, role: "admin" });
    await expect(
      updateUserAsAdmin({ ...root, role: ROLE.admin }, { id: second.id, role: "admin" }),
    ).rejects.toMatchObject({ code: "forbidden" });
    // second is the last enabled root: a third root may not demote or disable it while it is the last...
    const third = asOperator(await makeUser({ role: "root" }), ROLE.root);
    await updateUserAsAdmin(third, { id: second.id, status: "disabled" });
    await updateUserAsAdmin(third, { id: root.id, role: "user" });
    // ...and third, the only enabled root now, is kept by the rule whoever asks
    await expect(updateUserAsAdmin(second, { id: third.id, role: "user" })).rejects.toMatchObject({
      code: "last_root",
    });
    await expect(updateUserAsAdmin(second, { id: third.id, status: "disabled" })).rejects.toMatchObject({
      code: "last_root",
    });
    expect(await row(third.id)).toMatchObject({ role: ROLE.root, status: 1 });
  });

  it("two roots demoting each other at once: one succeeds, one root remains", async () => {
    const a = root;
    const b = asOperator(await makeUser({ role: "root" }), ROLE.root);
    await db.user.updateMany({ where: { role: ROLE.root, id: { notIn: [a.id, b.id] } }, data: { status: 2 } });
    const results = await Promise.allSettled([
      updateUserAsAdmin(a, { id: b.id, role: "admin" }),
      updateUserAsAdmin(b, { id: a.id, role: "admin" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "last_root" } });
    expect(await db.user.count({ where: { role: ROLE.root, status: 1 } })).toBe(1);
  });

  it("disabling a user tells every node's key cache (bus topic user) before it returns", async () => {
    const u = await makeUser();
    const heard: string[] = [];
    onInvalidate("user", (id) => heard.push(id));
    await updateUserAsAdmin(admin, { id: u.id, status: "disabled" });
    expect(heard).toContain(String(u.id));
    expect((await row(u.id)).status).toBe(2);
  });
});

describe("quota", () => {
  it("takes the amount in the display unit with a reason; bad input is a field error and saves nothing", async () => {
    const u = await makeUser();
    const started = new Date();
    const r = await adjustQuotaAsAdmin(admin, { userId: u.id, mode: "add", amount: "2.5", reason: "promo" });
    expect(r).toMatchObject({ from: "0", to: "1250000", text: "$0.00 → $2.50" });
    for (const [amount, reason, field] of [
      ["abc", "x", "amount"],
      ["-1", "x", "amount"],
      ["0.0000001", "x", "amount"],
      ["9999999999999", "x", "amount"],
      ["1", "", "reason"],
      ["", "x", "amount"],
    ]) {
      await expect(
        adjustQuotaAsAdmin(admin, { userId: u.id, mode: "add", amount, reason }),
        `${amount} / ${reason}`,
      ).rejects.toMatchObject({ fieldErrors: { [field]: expect.any(Array) } });
    }
    // the refused changes wrote nothing: the one manage log and the one audit row are the first top-up's
    expect((await row(u.id)).quota).toBe(1_250_000n);
    expect(await db.log.count({ where: { userId: u.id, createdAt: { gte: started } } })).toBe(1);
    expect((await auditsOf(u.id)).map((a) => a.action)).toEqual(["user.quota_add"]);
    await setOption("QuotaDisplayType", "TOKENS");
    await expect(
      adjustQuotaAsAdmin(admin, { userId: u.id, mode: "add", amount: "1.5", reason: "x" }),
    ).rejects.toMatchObject({ fieldErrors: { amount: expect.any(Array) } });
    await expect(
      adjustQuotaAsAdmin(admin, { userId: u.id, mode: "set", amount: "499999999999999", reason: "x" }),
    ).resolves.toMatchObject({ to: "499999999999999" });
    await expect(
      adjustQuotaAsAdmin(admin, { userId: u.id, mode: "add", amount: "2", reason: "x" }),
    ).rejects.toMatchObject({ code: "quota_out_of_range", fieldErrors: { amount: expect.any(Array) } });
    expect((await row(u.id)).quota).toBe(499_999_999_999_999n);
    expect((await auditLedger()).differences).toEqual([]);
  });
});

describe("list", () => {
  it("searches by id, username or email and pages by balance in keyset order", async () => {
    const users = [];
    const balances = [5n, 40n, 300n, 2_000n, 40n, 9n, 10_000n]; // numbers of different lengths: sorted as numbers, not text
    for (let i = 0; i < 7; i++) users.push(await makeUser({ username: `lst${i}`, quota: balances[i] }));
    await db.user.update({ where: { id: users[2].id }, data: { email: "needle@example.com" } });
    expect((await listAdminUsers({ q: "NEEDLE" })).items.map((u) => u.id)).toEqual([users[2].id]);
    expect((await listAdminUsers({ q: String(users[4].id) })).items.map((u) => u.id)).toContain(users[4].id);
    expect((await listAdminUsers({ q: "lst_" })).items).toEqual([]); // "_" is a character, not a wildcard
    const seen: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listAdminUsers({ q: "lst", sort: "quota", dir: "desc", pageSize: 3, after });
      expect(page.total).toBe(7);
      seen.push(...page.items.map((u) => u.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toHaveLength(7);
    const quotas = await Promise.all(seen.map(async (id) => (await row(id)).quota));
    const sorted = [...quotas].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    expect(quotas).toEqual(sorted);
    expect(new Set(seen).size).toBe(7);
  });

  /** every page of a sorted list of the users named "<q>…", two at a time, as ids */
  const walk = async (q: string, sort: "usedQuota" | "lastLogin", dir: "asc" | "desc") => {
    const seen: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listAdminUsers({ q, sort, dir, pageSize: 2, after });
      seen.push(...page.items.map((u) => u.id));
      if (!page.next) return seen;
      after = page.next;
    }
  };

  it("sorts by used quota both ways, ties by id, across keyset pages", async () => {
    // used quota as the relay spends it: reserved and settled through the billing module
    const spent = [300n, 0n, 1_000n, 300n, 20n];
    const users = [];
    for (const amount of spent) {
      const u = await makeUser({ username: `used${users.length}`, quota: 10_000n });
      const k = await makeKey(u.id);
      if (amount > 0n) await settleRequest(u.id, k.id, { quota: amount });
      users.push(u.id);
    }
    expect(await Promise.all(users.map(async (id) => (await row(id)).usedQuota))).toEqual(spent);
    const [u300, u0, u1000, u300b, u20] = users;
    expect(await walk("used", "usedQuota", "desc")).toEqual([u1000, u300b, u300, u20, u0]);
    expect(await walk("used", "usedQuota", "asc")).toEqual([u0, u20, u300, u300b, u1000]);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("sorts by last sign-in both ways, who never signed in as the oldest, across keyset pages", async () => {
    const at = (iso: string | null) => (iso ? new Date(iso) : null);
    const logins = [
      at("2026-11-20T10:00:00.123Z"),
      null,
      at("2026-11-29T23:59:59.999Z"),
      at("2026-11-20T10:00:00.123Z"),
      at("2025-01-01T00:00:00.000Z"),
      null,
    ];
    const users = [];
    for (const lastLoginAt of logins) {
      const u = await makeUser({ username: `seen${users.length}` });
      await db.user.update({ where: { id: u.id }, data: { lastLoginAt } });
      users.push(u.id);
    }
    const [nov20, never, nov29, nov20b, y2025, neverB] = users;
    expect(await walk("seen", "lastLogin", "desc")).toEqual([nov29, nov20b, nov20, y2025, neverB, never]);
    expect(await walk("seen", "lastLogin", "asc")).toEqual([never, neverB, y2025, nov20, nov20b, nov29]);
  });
});
