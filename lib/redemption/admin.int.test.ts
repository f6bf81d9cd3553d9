import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { listAdminAudits } from "@/lib/audit/service";
import { setOption } from "@/lib/options/service";
import { redeemCode } from "@/lib/quota/credits";
import { truncateAll } from "@/tests/truncate";
import { makeUser } from "@/tests/factories";

// The admin's redemption codes page, through its server actions against the real database (only
// the session and the language are stubbed): batches in the display unit with an audit row that
// never holds a code, the list's states and filters, disable, bulk delete.
const state = vi.hoisted(() => ({
  user: null as null | { id: number; username: string; displayName: string; role: number; group: string },
}));
vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => "en" }));
vi.mock("@/lib/auth", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    getSessionUserOrThrow: async (minRole: number) => {
      if (!state.user) throw new AppError("unauthenticated", "Please sign in first", 401);
      if (state.user.role < minRole) throw new AppError("forbidden", "Admins only", 403);
      return state.user;
    },
  };
});

const { createRedemptionBatchAction, listRedemptionsAction, disableRedemptionAction, deleteSpentRedemptionsAction } =
  await import("./actions");

let admin: { id: number; username: string };
beforeEach(async () => {
  await truncateAll();
  const u = await makeUser({ role: "admin" });
  admin = u;
  state.user = { id: u.id, username: u.username, displayName: u.username, role: 10, group: "default" };
});

const nowSec = () => Math.floor(Date.now() / 1000);

describe("batch create", () => {
  it("creates N codes worth the amount typed in dollars, audited without the codes", async () => {
    const r = await createRedemptionBatchAction({ name: "launch", amount: "2.5", count: 3, expiresAt: null });
    expect(r.ok).toBe(true);
    const codes = r.ok ? r.data.codes : [];
    expect(codes).toHaveLength(3);
    expect(new Set(codes).size).toBe(3);
    expect(r.ok && r.data.quota).toBe("1250000");
    const rows = await db.redemption.findMany();
    expect(rows.map((x) => [x.name, x.quota, x.createdBy, x.expiredTime])).toEqual(
      Array(3).fill(["launch", 1_250_000n, admin.id, 0n]),
    );
    const audit = (await listAdminAudits({ targetType: "redemption" })).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "redemption.create",
      operator: admin.username,
      operatorId: admin.id,
      after: { name: "launch", count: 3, quota: "1250000", expiredTime: 0 },
    });
    for (const code of codes) expect(JSON.stringify(audit)).not.toContain(code);
  });

  it("reads the amount in yuan when the display unit is CNY", async () => {
    await setOption("QuotaDisplayType", "CNY");
    try {
      const r = await createRedemptionBatchAction({ name: "cny", amount: "7.30", count: 1 });
      expect(r.ok && r.data.quota).toBe("500000");
    } finally {
      await setOption("QuotaDisplayType", "USD");
    }
  });

  it.each([
    [{ amount: "0" }, "amount", "Enter an amount greater than zero."],
    [{ amount: "-1" }, "amount", "The amount cannot be negative."],
    [{ amount: "ten" }, "amount", "Enter an amount such as 10 or 2.5 (at most 6 decimals)."],
    [{ amount: "" }, "amount", undefined],
    [{ count: 0 }, "count", "Create 1 to 100 codes at once."],
    [{ count: 101 }, "count", "Create 1 to 100 codes at once."],
    [{ count: 2.5 }, "count", "Create 1 to 100 codes at once."],
    [{ count: "many" }, "count", "Create 1 to 100 codes at once."],
    [{ name: "" }, "name", undefined],
    [{ name: "x".repeat(21) }, "name", undefined],
    [{ expiresAt: nowSec() - 60 }, "expiresAt", "The expiry must be in the future."],
  ])("refuses %j with a field error and creates nothing", async (bad, field, message) => {
    const r = await createRedemptionBatchAction({ name: "bad", amount: "1", count: 2, ...bad });
    expect(r.ok).toBe(false);
    const errors = !r.ok ? (r.error.fieldErrors ?? {}) : {};
    expect(Object.keys(errors)).toContain(field);
    if (message) expect(errors[field]).toEqual([message]);
    expect(await db.redemption.count()).toBe(0);
    expect(await db.adminAudit.count()).toBe(0);
  });

  it("is refused to a normal user", async () => {
    state.user = { ...state.user!, role: 1 };
    const r = await createRedemptionBatchAction({ name: "x", amount: "1", count: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await db.redemption.count()).toBe(0);
  });
});

describe("list, disable, delete", () => {
  async function fourStates() {
    const create = async (name: string, expiresAt: number | null = null) => {
      const r = await createRedemptionBatchAction({ name, amount: "1", count: 1, expiresAt });
      if (!r.ok) throw new Error(r.error.message);
      return r.data.codes[0];
    };
    const user = await makeUser();
    const used = await create("promo-used");
    await redeemCode(user.id, used);
    const disabled = await create("promo-off");
    const expired = await create("other-old", nowSec() + 3600);
    await db.redemption.update({ where: { key: expired }, data: { expiredTime: BigInt(nowSec() - 10) } });
    const unused = await create("promo-new");
    return { user, used, disabled, expired, unused };
  }

  it("derives each state, filters by state and name prefix, and says who redeemed when", async () => {
    const s = await fourStates();
    const id = (await db.redemption.findUniqueOrThrow({ where: { key: s.disabled } })).id;
    expect(await disableRedemptionAction({ id })).toEqual({ ok: true, data: undefined });
    const all = await listRedemptionsAction({});
    expect(all.ok && all.data.items.map((i) => [i.name, i.state])).toEqual([
      ["promo-new", "unused"],
      ["other-old", "expired"],
      ["promo-off", "disabled"],
      ["promo-used", "used"],
    ]);
    const used = all.ok ? all.data.items[3] : null;
    expect(used).toMatchObject({ usedUserId: s.user.id, usedUsername: s.user.username });
    expect(used?.maskedKey).toBe(`${s.used.slice(0, 4)}…${s.used.slice(-4)}`);
    expect(JSON.stringify(all)).not.toContain(s.used);
    expect(used?.redeemedAt).not.toBeNull();
    for (const st of ["unused", "used", "disabled", "expired"] as const) {
      const r = await listRedemptionsAction({ state: st });
      expect(r.ok && r.data.items.map((i) => i.state)).toEqual([st]);
    }
    const promo = await listRedemptionsAction({ name: "promo" });
    expect(promo.ok && promo.data.items.map((i) => i.name)).toEqual(["promo-new", "promo-off", "promo-used"]);
    // a disabled code cannot be redeemed, and cannot be disabled twice
    await expect(redeemCode(s.user.id, s.disabled)).rejects.toMatchObject({ code: "redemption_disabled" });
    expect(await disableRedemptionAction({ id })).toMatchObject({
      ok: false,
      error: { code: "redemption_not_unused" },
    });
    const audit = (await listAdminAudits({ action: "redemption.disable" })).items;
    expect(audit).toEqual([
      expect.objectContaining({ targetId: String(id), before: { status: 1 }, after: { status: 2 } }),
    ]);
  });

  it("deletes used and expired codes in bulk, keeps unused and disabled ones, with one audit row", async () => {
    const s = await fourStates();
    await disableRedemptionAction({ id: (await db.redemption.findUniqueOrThrow({ where: { key: s.disabled } })).id });
    expect(await deleteSpentRedemptionsAction({})).toEqual({ ok: true, data: { deleted: 2 } });
    expect((await db.redemption.findMany({ orderBy: { id: "asc" } })).map((r) => r.key)).toEqual([
      s.disabled,
      s.unused,
    ]);
    const audit = (await listAdminAudits({ action: "redemption.delete" })).items;
    expect(audit).toEqual([expect.objectContaining({ operator: admin.username, before: { deleted: 2 } })]);
    // nothing left to delete: no row, no audit
    expect(await deleteSpentRedemptionsAction({})).toEqual({ ok: true, data: { deleted: 0 } });
    expect((await listAdminAudits({ action: "redemption.delete" })).items).toHaveLength(1);
  });
});
