import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { adjustUserQuota } from "@/lib/quota/credits";
import { auditLedger } from "@/lib/quota/audit";
import { registerUser } from "@/lib/users/service";
import { makeUser } from "@/tests/factories";
import { createRedemptions, REDEEM_FAILURE_LIMIT } from "./service";

// The wallet page's actions (redeem, transfer, history) as the browser calls them, against the
// real database; only the session and the language are stubbed.
const state = vi.hoisted(() => ({
  locale: "en" as "en" | "zh",
  user: null as null | { id: number; username: string; displayName: string; role: number; group: string },
}));
vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => state.locale }));
vi.mock("@/lib/auth", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    getSessionUserOrThrow: async () => {
      if (!state.user) throw new AppError("unauthenticated", "Please sign in first", 401);
      return state.user;
    },
  };
});

const { redeemCodeAction } = await import("./actions");
const { transferAffQuotaAction } = await import("@/lib/invite/actions");
const { walletCreditsAction } = await import("@/lib/logs/actions");

const as = (u: { id: number; username: string }) => {
  state.user = { id: u.id, username: u.username, displayName: u.username, role: 1, group: "default" };
};
const wallet = (id: number) => db.user.findUniqueOrThrow({ where: { id }, select: { quota: true, affQuota: true } });
const expectAuditClean = async () => expect((await auditLedger()).differences).toEqual([]);

beforeEach(() => {
  state.locale = "en";
  state.user = null;
});

describe("redeem", () => {
  it("credits the code's amount and says how much, in the display unit", async () => {
    const u = await makeUser();
    as(u);
    const [code] = await createRedemptions({ id: 1, username: "root" }, { name: "promo", quota: 1_250_000 });
    const r = await redeemCodeAction({ code: `  ${code.toUpperCase()} ` });
    expect(r).toEqual({
      ok: true,
      data: { quota: "1250000", amount: "$2.50", balance: "$2.50", rawBalance: "1250000" },
    });
    await expectAuditClean();
  });

  it("tells why a code fails (used, unknown, expired, disabled), in the user's language, and credits nothing", async () => {
    const u = await makeUser();
    const other = await makeUser();
    const [used] = await createRedemptions({ id: 1, username: "root" }, { name: "used", quota: 100 });
    as(other);
    expect((await redeemCodeAction({ code: used })).ok).toBe(true);
    const [disabled] = await createRedemptions({ id: 1, username: "root" }, { name: "off", quota: 100 });
    await db.redemption.update({ where: { key: disabled }, data: { status: 2 } });
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
    as(u);
    const cases: [string, string, string][] = [
      [used, "redemption_used", "This code has already been used."],
      ["f".repeat(32), "redemption_not_found", "This code does not exist. Check it and try again."],
      ["hello", "redemption_not_found", "This code does not exist. Check it and try again."],
      [disabled, "redemption_disabled", "This code has been disabled."],
      [expired, "redemption_expired", "This code has expired."],
    ];
    for (const [code, reason, message] of cases) {
      expect(await redeemCodeAction({ code })).toEqual({
        ok: false,
        error: { code: reason, message, fieldErrors: { code: [message] } },
      });
    }
    state.locale = "zh";
    expect(await redeemCodeAction({ code: used })).toMatchObject({
      ok: false,
      error: { message: "该兑换码已被使用。" },
    });
    expect((await wallet(u.id)).quota).toBe(0n);
    await REDEEM_FAILURE_LIMIT.reset(String(u.id));
  });

  it("limits failed attempts per user (10 in 15 minutes), then refuses even a good code; others are not affected", async () => {
    const u = await makeUser();
    const bystander = await makeUser();
    as(u);
    for (let i = 0; i < 10; i++)
      expect(await redeemCodeAction({ code: "0".repeat(32) })).toMatchObject({
        ok: false,
        error: { code: "redemption_not_found" },
      });
    const [good] = await createRedemptions({ id: 1, username: "root" }, { name: "good", quota: 500 });
    expect(await redeemCodeAction({ code: good })).toMatchObject({
      ok: false,
      error: { code: "redemption_rate_limited", message: "Too many failed attempts. Try again in 15 minutes." },
    });
    expect((await wallet(u.id)).quota).toBe(0n);
    expect((await db.redemption.findUniqueOrThrow({ where: { key: good } })).status).toBe(1);
    as(bystander);
    expect((await redeemCodeAction({ code: good })).ok).toBe(true);
    await REDEEM_FAILURE_LIMIT.reset(String(u.id));
  });

  it("successes do not count towards the limit", async () => {
    const u = await makeUser();
    as(u);
    const codes = await createRedemptions({ id: 1, username: "root" }, { name: "many", quota: 1, count: 12 });
    for (const code of codes) expect((await redeemCodeAction({ code })).ok).toBe(true);
    expect((await wallet(u.id)).quota).toBe(12n);
  });

  it.each([
    [{ code: "" }, "code"],
    [{ code: "x".repeat(65) }, "code"],
    [{}, "code"],
  ])("refuses %j with a field error", async (input, field) => {
    const u = await makeUser();
    as(u);
    const r = await redeemCodeAction(input as never);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.error.fieldErrors ?? {})).toContain(field);
  });

  it("refuses forged fields (user_id, quota) and credits nobody", async () => {
    const u = await makeUser();
    const victim = await makeUser();
    as(u);
    const [code] = await createRedemptions({ id: 1, username: "root" }, { name: "forged", quota: 700 });
    for (const forged of [{ user_id: victim.id }, { userId: victim.id }, { quota: "999999999" }]) {
      expect(await redeemCodeAction({ code, ...forged } as never)).toMatchObject({
        ok: false,
        error: { code: "validation" },
      });
    }
    expect((await db.redemption.findUniqueOrThrow({ where: { key: code } })).status).toBe(1);
    expect((await wallet(u.id)).quota).toBe(0n);
    expect((await wallet(victim.id)).quota).toBe(0n);
  });
});

describe("transfer invitation credit", () => {
  async function inviterWith(reward: string, invitees: number) {
    await setOption("QuotaForInviter", reward);
    const inviter = await registerUser({
      username: `inv${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`,
      password: "password123",
    });
    for (let i = 0; i < invitees; i++) {
      await registerUser({
        username: `ie${Date.now().toString(36)}${i}${Math.random().toString(36).slice(2, 5)}`,
        password: "password123",
        affCode: inviter.affCode,
      });
    }
    await setOption("QuotaForInviter", "0");
    return inviter;
  }

  it("moves an amount typed in dollars, exactly", async () => {
    const inviter = await inviterWith("1000000", 2); // $4 of credit
    as(inviter);
    expect(await transferAffQuotaAction({ amount: "1.5" })).toEqual({
      ok: true,
      data: { moved: "750000", amount: "$1.50", quota: "750000", affQuota: "1250000" },
    });
    expect(await wallet(inviter.id)).toEqual({ quota: 750_000n, affQuota: 1_250_000n });
    await expectAuditClean();
  });

  it("converts CNY through the exchange rate and raw quota as is", async () => {
    const inviter = await inviterWith("1000000", 3);
    as(inviter);
    await setOption("QuotaDisplayType", "CNY");
    try {
      // ¥7.30 = $1 = 500,000
      expect(await transferAffQuotaAction({ amount: "7.30" })).toMatchObject({
        ok: true,
        data: { moved: "500000", amount: "¥7.30" },
      });
      await setOption("QuotaDisplayType", "TOKENS");
      expect(await transferAffQuotaAction({ amount: "600000" })).toMatchObject({ ok: true, data: { moved: "600000" } });
      expect(await transferAffQuotaAction({ amount: "600000.5" })).toMatchObject({
        ok: false,
        error: { fieldErrors: { amount: ["Enter a whole number."] } },
      });
    } finally {
      await setOption("QuotaDisplayType", "USD");
    }
    expect((await wallet(inviter.id)).affQuota).toBe(1_900_000n);
  });

  it.each([
    ["0.99", "The minimum transfer is $1.00."],
    ["0", "The minimum transfer is $1.00."],
    ["-2", "The amount cannot be negative."],
    ["two", "Enter an amount such as 10 or 2.5 (at most 6 decimals)."],
    ["5", "You do not have that much invitation credit."],
  ])("refuses %s with a field error and moves nothing", async (amount, message) => {
    const inviter = await inviterWith("1000000", 1);
    as(inviter);
    expect(await transferAffQuotaAction({ amount })).toMatchObject({
      ok: false,
      error: { fieldErrors: { amount: [message] } },
    });
    expect(await wallet(inviter.id)).toEqual({ quota: 0n, affQuota: 1_000_000n });
  });

  it("refuses forged fields (user_id, quota) and moves nothing", async () => {
    const inviter = await inviterWith("1000000", 1);
    const victim = await inviterWith("1000000", 1);
    as(inviter);
    for (const forged of [{ user_id: victim.id }, { affQuota: "0" }, { quota: "100000000" }]) {
      expect(await transferAffQuotaAction({ amount: "1", ...forged } as never)).toMatchObject({
        ok: false,
        error: { code: "validation" },
      });
    }
    expect(await wallet(inviter.id)).toEqual({ quota: 0n, affQuota: 1_000_000n });
    expect(await wallet(victim.id)).toEqual({ quota: 0n, affQuota: 1_000_000n });
  });
});

describe("history", () => {
  it("lists every credit to the wallet, newest first, named by kind, paged", async () => {
    await setOption("QuotaForNewUser", "100");
    await setOption("QuotaForInvitee", "50");
    await setOption("QuotaForInviter", "600000");
    try {
      const inviter = await registerUser({ username: "histinviter", password: "password123" });
      const u = await registerUser({ username: "histuser", password: "password123", affCode: inviter.affCode });
      await registerUser({ username: "histuser2", password: "password123", affCode: inviter.affCode });
      await adjustUserQuota({ id: null, username: "root" }, { userId: u.id, mode: "add", amount: 7, reason: "test" });
      const [code] = await createRedemptions({ id: 1, username: "root" }, { name: "h", quota: 3 });
      as(u);
      await redeemCodeAction({ code });
      const page = await walletCreditsAction({});
      expect(page.ok && page.data.items.map((i) => [i.kind, i.quota])).toEqual([
        ["redemption", "3"],
        ["admin", "7"],
        ["invitee_gift", "50"],
        ["register_gift", "100"],
      ]);
      expect(page.ok && page.data.items[1].operator).toBe("root");
      as(inviter);
      expect(await transferAffQuotaAction({ amount: "1" })).toMatchObject({ ok: true });
      const first = await walletCreditsAction({});
      // the inviter's rewards went to aff_quota, not the wallet: only the transfer and the sign-up gift
      expect(first.ok && first.data.items.map((i) => i.kind)).toEqual(["aff_transfer", "register_gift"]);
      for (let i = 0; i < 25; i++)
        await adjustUserQuota(
          { id: null, username: "root" },
          { userId: inviter.id, mode: "add", amount: 1, reason: "test" },
        );
      const p1 = await walletCreditsAction({});
      expect(p1.ok && p1.data.items).toHaveLength(20);
      const p2 = await walletCreditsAction({ cursor: p1.ok ? p1.data.nextCursor : null });
      expect(p2.ok && p2.data.items.map((i) => i.kind)).toEqual([
        "admin",
        "admin",
        "admin",
        "admin",
        "admin",
        "aff_transfer",
        "register_gift",
      ]);
      expect(p2.ok && p2.data.nextCursor).toBeNull();
      expect(await walletCreditsAction({ cursor: "1; DROP TABLE logs" })).toMatchObject({
        ok: false,
        error: { code: "validation" },
      });
    } finally {
      await setOption("QuotaForNewUser", "0");
      await setOption("QuotaForInvitee", "0");
      await setOption("QuotaForInviter", "0");
    }
  });
});
