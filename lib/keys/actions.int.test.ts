import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { resetRouting } from "@/lib/channels/routing";
import { setOption } from "@/lib/options/service";
import { auditLedger } from "@/lib/quota/audit";
import { makeKey, makeUser } from "@/tests/factories";

// The portal's key actions as the browser calls them (plain objects and FormData), against the
// real database. The session and the request's language are the only stubs.
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

const {
  createKeysAction,
  deleteKeysAction,
  keyFormOptionsAction,
  listKeysAction,
  regenerateKeyAction,
  setKeyStatusAction,
  updateKeyAction,
} = await import("./actions");

async function signedIn(opts: { quota?: bigint; group?: string } = {}) {
  const u = await makeUser(opts);
  state.user = { id: u.id, username: u.username, displayName: u.username, role: 1, group: opts.group ?? "default" };
  return u;
}

/** every column of a user's keys, to prove a refused call changed nothing */
const snapshot = (userId: number) => db.token.findMany({ where: { userId }, orderBy: { id: "asc" } });

function form(fields: Record<string, string | string[] | undefined>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) for (const one of [v].flat()) f.append(k, one);
  return f;
}

beforeEach(() => {
  state.locale = "en";
  state.user = null;
});

describe("create", () => {
  it("creates one key from FormData (a switch sends 'on'), the budget typed in dollars, and shows the full key once", async () => {
    const u = await signedIn();
    const r = await createKeysAction(
      form({
        name: "web",
        remainAmount: "2.5",
        unlimitedQuota: "off",
        expiry: "1d",
        modelLimits: ["gpt-4o", "gpt-4o-mini"],
        allowIps: "10.0.0.0/8\n203.0.113.7",
        crossGroupRetry: "on",
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toHaveLength(1);
    expect(r.data[0].key).toMatch(/^sk-[0-9A-Za-z]{48}$/);
    const [row] = await snapshot(u.id);
    expect(row).toMatchObject({
      name: "web",
      remainQuota: 1_250_000n,
      grantedQuota: 1_250_000n,
      unlimitedQuota: false,
      modelLimits: "gpt-4o,gpt-4o-mini",
      modelLimitsEnabled: true,
      crossGroupRetry: true,
      accessedAt: null,
    });
    const inADay = Math.floor(Date.now() / 1000) + 86_400;
    expect(Math.abs(Number(row.expiredTime) - inADay)).toBeLessThan(5);
    // the list never carries the key
    const list = await listKeysAction({});
    expect(JSON.stringify(list)).not.toContain(r.data[0].key.slice(3));
    expect(list.ok && list.data.keys[0]).toMatchObject({
      maskedKey: r.data[0].maskedKey,
      state: "enabled",
      remainQuota: "1250000",
    });
  });

  it("creates N keys at once, names after the first with a suffix", async () => {
    const u = await signedIn();
    const r = await createKeysAction({ name: "batch", count: 3, unlimitedQuota: true });
    expect(r.ok && r.data.map((k) => k.name)).toEqual([
      "batch",
      expect.stringMatching(/^batch-\w{6}$/),
      expect.stringMatching(/^batch-\w{6}$/),
    ]);
    expect(await db.token.count({ where: { userId: u.id } })).toBe(3);
  });

  it.each([
    [
      "a name over 50 bytes (17 CJK characters)",
      { name: "密".repeat(17), unlimitedQuota: true },
      "name",
      "The name is too long: at most 50 bytes (a Chinese character takes 3).",
    ],
    ["an empty name", { name: "  ", unlimitedQuota: true }, "name", "Name is required."],
    ["a negative budget", { name: "k", remainAmount: "-1" }, "remainAmount", "The amount cannot be negative."],
    [
      "a budget that is not a number",
      { name: "k", remainAmount: "ten" },
      "remainAmount",
      "Enter an amount such as 10 or 2.5 (at most 6 decimals).",
    ],
    [
      "a budget with 7 decimals",
      { name: "k", remainAmount: "0.0000001" },
      "remainAmount",
      "Enter an amount such as 10 or 2.5 (at most 6 decimals).",
    ],
    [
      "a budget over 1e9 dollars",
      { name: "k", remainAmount: "1000000000.01" },
      "remainAmount",
      "The quota cannot exceed $1,000,000,000.00.",
    ],
    [
      "a limited key without a budget",
      { name: "k", unlimitedQuota: false },
      "remainAmount",
      "Enter an amount such as 10 or 2.5 (at most 6 decimals).",
    ],
    [
      "a custom expiry in the past",
      { name: "k", unlimitedQuota: true, expiry: "custom", expiresAt: 1_000_000 },
      "expiresAt",
      "Pick a time in the future.",
    ],
    [
      "a custom expiry without a date",
      { name: "k", unlimitedQuota: true, expiry: "custom" },
      "expiresAt",
      "Pick a date and time.",
    ],
    ["an unknown expiry preset", { name: "k", unlimitedQuota: true, expiry: "1y" }, "expiry", undefined],
    [
      "a bad IP entry",
      { name: "k", unlimitedQuota: true, allowIps: "10.0.0.1\nnot-an-ip" },
      "allowIps",
      "Not an IP address or CIDR: not-an-ip",
    ],
    [
      "a group the user may not use",
      { name: "k", unlimitedQuota: true, group: "svip" },
      "group",
      "This group is not available to you.",
    ],
    [
      "101 keys at once",
      { name: "k", unlimitedQuota: true, count: 101 },
      "count",
      "Number of keys must be at most 100.",
    ],
  ])("refuses %s with a field error and writes nothing", async (_what, input, field, message) => {
    const u = await signedIn();
    const r = await createKeysAction(input as never);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.error.fieldErrors ?? {})).toContain(field);
    if (message) expect(r.error.fieldErrors![field][0]).toBe(message);
    expect(await db.token.count({ where: { userId: u.id } })).toBe(0);
  });

  it("speaks Chinese to a Chinese page, with the values filled in", async () => {
    await signedIn();
    state.locale = "zh";
    const r = await createKeysAction({ name: "k", remainAmount: "2000000000" });
    expect(!r.ok && r.error.fieldErrors?.remainAmount).toEqual(["额度不能超过 $1,000,000,000.00。"]);
  });

  it("refuses forged fields (user_id, used_quota, status, key) and writes nothing", async () => {
    const victim = await makeUser();
    const u = await signedIn();
    for (const forged of [
      { user_id: String(victim.id) },
      { userId: String(victim.id) },
      { used_quota: "-500" },
      { status: "3" },
      { keyHash: "0".repeat(64) },
    ]) {
      const r = await createKeysAction(form({ name: "k", unlimitedQuota: "on", ...forged }));
      expect(r).toMatchObject({ ok: false, error: { code: "validation" } });
      expect(!r.ok && r.error.fieldErrors?._?.[0]).toContain(Object.keys(forged)[0]);
    }
    expect(await db.token.count({ where: { userId: { in: [u.id, victim.id] } } })).toBe(0);
  });

  it("stops at MaxUserTokens, with the numbers in the message, also when the batch would cross it", async () => {
    await setOption("MaxUserTokens", "3");
    try {
      const u = await signedIn();
      expect((await createKeysAction({ name: "a", count: 2, unlimitedQuota: true })).ok).toBe(true);
      const batch = await createKeysAction({ name: "b", count: 2, unlimitedQuota: true });
      expect(batch).toMatchObject({
        ok: false,
        error: { code: "max_tokens_reached", message: "You can have at most 3 keys, and you have 2." },
      });
      expect((await createKeysAction({ name: "c", unlimitedQuota: true })).ok).toBe(true);
      expect(await createKeysAction({ name: "d", unlimitedQuota: true })).toMatchObject({
        ok: false,
        error: { code: "max_tokens_reached" },
      });
      expect(await db.token.count({ where: { userId: u.id } })).toBe(3);
    } finally {
      await setOption("MaxUserTokens", "1000");
    }
  });

  it("a signed-out caller gets unauthenticated and nothing is written", async () => {
    const before = await db.token.count();
    expect(await createKeysAction({ name: "k", unlimitedQuota: true })).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });
    expect(await db.token.count()).toBe(before);
  });
});

describe("edit", () => {
  it("saves every field; a budget left out stays as requests left it, one given is set through lib/quota", async () => {
    const u = await signedIn({ quota: 5_000_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 1_000_000n });
    // a request spent from the key meanwhile
    await db.token.update({ where: { id: k.id }, data: { remainQuota: 900_000n } });
    const r = await updateKeyAction({
      id: k.id,
      name: "renamed",
      unlimitedQuota: false,
      expiry: "never",
      modelLimits: "gpt-4o",
      allowIps: "",
      group: "vip",
      crossGroupRetry: false,
    });
    expect(r.ok).toBe(true);
    expect(await db.token.findUniqueOrThrow({ where: { id: k.id } })).toMatchObject({
      name: "renamed",
      remainQuota: 900_000n,
      group: "vip",
      modelLimits: "gpt-4o",
      modelLimitsEnabled: true,
    });
    await db.token.update({ where: { id: k.id }, data: { grantedQuota: 900_000n } }); // the spend above was not a real charge
    const r2 = await updateKeyAction({ id: k.id, name: "renamed", remainAmount: "3", unlimitedQuota: false });
    expect(r2.ok && r2.data).toMatchObject({ remainQuota: "1500000", modelLimits: [], group: "" });
    expect(await db.token.findUniqueOrThrow({ where: { id: k.id } })).toMatchObject({
      remainQuota: 1_500_000n,
      grantedQuota: 1_500_000n,
    });
    expect((await auditLedger()).differences.filter((d) => d.kind === "key" && d.id === k.id)).toEqual([]);
  });

  it("another user's key, a deleted key and a made-up id read as not found, and nothing changes", async () => {
    const other = await makeUser();
    const theirs = await makeKey(other.id, { name: "theirs", unlimitedQuota: false, remainQuota: 100n });
    const u = await signedIn();
    const mine = await makeKey(u.id);
    await db.token.delete({ where: { id: mine.id } });
    const before = await snapshot(other.id);
    for (const id of [theirs.id, mine.id, 2_000_000_000]) {
      const r = await updateKeyAction({ id, name: "hijack", remainAmount: "1000", unlimitedQuota: true });
      expect(r).toMatchObject({
        ok: false,
        error: { code: "token_not_found", message: "This key does not exist, or it is not yours." },
      });
      expect(await setKeyStatusAction({ id, status: 2 })).toMatchObject({
        ok: false,
        error: { code: "token_not_found" },
      });
      expect(await regenerateKeyAction({ id })).toMatchObject({ ok: false, error: { code: "token_not_found" } });
      expect(await deleteKeysAction({ ids: [id] })).toMatchObject({ ok: false, error: { code: "token_not_found" } });
    }
    expect(await snapshot(other.id)).toEqual(before);
  });

  it("refuses forged FormData fields on an edit: status=1 on an exhausted key, used_quota, user_id", async () => {
    const u = await signedIn();
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 100n });
    await db.token.update({ where: { id: k.id }, data: { remainQuota: 0n, status: 4 } });
    const victim = await makeUser();
    const before = await snapshot(u.id);
    for (const forged of [
      { status: "1" },
      { used_quota: "0" },
      { user_id: String(victim.id) },
      { remainQuota: "999999" },
    ]) {
      const r = await updateKeyAction(form({ id: String(k.id), name: "x", unlimitedQuota: "off", ...forged }));
      expect(r).toMatchObject({ ok: false, error: { code: "validation" } });
    }
    expect(await snapshot(u.id)).toEqual(before);
    expect(await db.token.count({ where: { userId: victim.id } })).toBe(0);
  });
});

describe("edit: groups, cross-group retry, the display unit", () => {
  it("refuses a group the user may not use with a field error on group, and changes nothing", async () => {
    const u = await signedIn();
    const k = await makeKey(u.id, { name: "keep", unlimitedQuota: false, remainQuota: 700n, group: "vip" });
    const before = await snapshot(u.id);
    for (const group of ["svip", "no-such-group"]) {
      const r = await updateKeyAction(
        form({ id: String(k.id), name: "changed", unlimitedQuota: "on", group, crossGroupRetry: "on" }),
      );
      expect(r).toMatchObject({
        ok: false,
        error: { code: "group_not_usable", fieldErrors: { group: ["This group is not available to you."] } },
      });
    }
    expect(await snapshot(u.id)).toEqual(before);
  });

  it("saves cross-group retry on (a switch's 'on') and off again", async () => {
    const u = await signedIn();
    const k = await makeKey(u.id);
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).crossGroupRetry).toBe(false);
    const on = await updateKeyAction(
      form({ id: String(k.id), name: "k", unlimitedQuota: "on", group: "vip", crossGroupRetry: "on" }),
    );
    expect(on.ok && on.data).toMatchObject({ crossGroupRetry: true, group: "vip" });
    expect(await db.token.findUniqueOrThrow({ where: { id: k.id } })).toMatchObject({
      crossGroupRetry: true,
      group: "vip",
    });
    // a switch that is off sends nothing
    expect((await updateKeyAction(form({ id: String(k.id), name: "k", unlimitedQuota: "on" }))).ok).toBe(true);
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).crossGroupRetry).toBe(false);
  });

  it("a budget typed in CNY (display unit, through the exchange rate) is stored as the right quota", async () => {
    await setOption("QuotaDisplayType", "CNY");
    try {
      const u = await signedIn({ quota: 10_000_000n });
      // ¥7.30 = $1 = 500,000 quota at the default rate 7.3; ¥1 = 68,493.15… -> 68,493
      const created = await createKeysAction({ name: "yuan", remainAmount: "7.3", unlimitedQuota: false });
      expect(created.ok).toBe(true);
      const [row] = await snapshot(u.id);
      expect(row).toMatchObject({ remainQuota: 500_000n, grantedQuota: 500_000n });
      const edited = await updateKeyAction({ id: row.id, name: "yuan", remainAmount: "1", unlimitedQuota: false });
      expect(edited.ok && edited.data.remainQuota).toBe("68493");
      expect((await db.token.findUniqueOrThrow({ where: { id: row.id } })).remainQuota).toBe(68_493n);
      // the bound is said in the display unit
      const tooMuch = await updateKeyAction({
        id: row.id,
        name: "yuan",
        remainAmount: "7300000001",
        unlimitedQuota: false,
      });
      expect(!tooMuch.ok && tooMuch.error.fieldErrors?.remainAmount).toEqual([
        "The quota cannot exceed ¥7,300,000,000.00.",
      ]);
      expect((await db.token.findUniqueOrThrow({ where: { id: row.id } })).remainQuota).toBe(68_493n);
    } finally {
      await setOption("QuotaDisplayType", "USD");
    }
  });
});

describe("form options", () => {
  it("offers only the user's usable groups (with a ratio) and the priced models enabled channels serve them", async () => {
    await db.channel.createMany({
      data: [
        {
          name: "d",
          baseUrl: "http://127.0.0.1:9",
          key: "k",
          models: ["gpt-4o", "made-up-unpriced"],
          groups: ["default"],
        },
        { name: "v", baseUrl: "http://127.0.0.1:9", key: "k", models: ["gpt-4o-mini"], groups: ["vip"] },
        { name: "s", baseUrl: "http://127.0.0.1:9", key: "k", models: ["o1"], groups: ["svip"] },
        { name: "off", baseUrl: "http://127.0.0.1:9", key: "k", models: ["gpt-4.1"], groups: ["default"], status: 2 },
      ],
    });
    resetRouting();
    try {
      await signedIn();
      const r = await keyFormOptionsAction({});
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.data.userGroup).toBe("default");
      expect(r.data.groups.map((g) => g.name).sort()).toEqual(["default", "vip"]);
      expect(r.data.modelsByGroup).toEqual({ default: ["gpt-4o"], vip: ["gpt-4o-mini"] });

      // a group whose ratio was removed is deprecated: no longer offered
      await setOption("GroupRatio", JSON.stringify({ default: 1, svip: 1 }));
      const r2 = await keyFormOptionsAction({});
      expect(r2.ok && r2.data.groups.map((g) => g.name)).toEqual(["default"]);
      expect(r2.ok && Object.keys(r2.data.modelsByGroup)).toEqual(["default"]);

      state.user = null;
      expect(await keyFormOptionsAction({})).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    } finally {
      await setOption("GroupRatio", JSON.stringify({ default: 1, vip: 1, svip: 1 }));
      await db.channel.deleteMany({});
      resetRouting();
    }
  });
});

describe("status", () => {
  it("disables and re-enables; an exhausted or expired key cannot be enabled, whatever it is stored as", async () => {
    const u = await signedIn();
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 100n });
    expect(await setKeyStatusAction({ id: k.id, status: 2 })).toMatchObject({
      ok: true,
      data: { status: 2, state: "disabled" },
    });
    expect(await setKeyStatusAction(form({ id: String(k.id), status: "1" }))).toMatchObject({
      ok: true,
      data: { status: 1, state: "enabled" },
    });

    await db.token.update({ where: { id: k.id }, data: { remainQuota: 0n, status: 4 } });
    expect(await setKeyStatusAction({ id: k.id, status: 1 })).toMatchObject({
      ok: false,
      error: {
        code: "token_exhausted",
        fieldErrors: {
          status: ["This key's quota is used up and it cannot be enabled. Raise its quota or make it unlimited first."],
        },
      },
    });
    await db.token.update({ where: { id: k.id }, data: { remainQuota: 0n, status: 2 } }); // disabled, and empty
    expect(await setKeyStatusAction({ id: k.id, status: 1 })).toMatchObject({
      ok: false,
      error: { code: "token_exhausted" },
    });
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).status).toBe(2);

    await db.token.update({
      where: { id: k.id },
      data: { remainQuota: 100n, status: 3, expiredTime: BigInt(Math.floor(Date.now() / 1000) - 10) },
    });
    expect(await setKeyStatusAction({ id: k.id, status: 1 })).toMatchObject({
      ok: false,
      error: { code: "token_expired" },
    });
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).status).toBe(3);

    // the expiry moved on by an edit: it may be enabled again
    expect((await updateKeyAction({ id: k.id, name: "k", unlimitedQuota: false, expiry: "30d" })).ok).toBe(true);
    expect(await setKeyStatusAction({ id: k.id, status: 1 })).toMatchObject({ ok: true, data: { status: 1 } });
  });

  it.each([[3], [4], [0], ["enabled"]])("refuses status %j (only 1 and 2 are the owner's to set)", async (status) => {
    const u = await signedIn();
    const k = await makeKey(u.id);
    expect(await setKeyStatusAction({ id: k.id, status } as never)).toMatchObject({
      ok: false,
      error: { code: "validation" },
    });
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).status).toBe(1);
  });
});

describe("delete and regenerate", () => {
  it("deletes many of one's own keys at once; with one foreign id among them, none", async () => {
    const other = await makeUser();
    const theirs = await makeKey(other.id);
    const u = await signedIn();
    const [a, b, c] = [await makeKey(u.id), await makeKey(u.id), await makeKey(u.id)];
    expect(await deleteKeysAction({ ids: [a.id, theirs.id] })).toMatchObject({
      ok: false,
      error: { code: "token_not_found" },
    });
    expect(await db.token.count({ where: { id: { in: [a.id, theirs.id] } } })).toBe(2);
    expect(await deleteKeysAction(form({ ids: [String(a.id), String(b.id)] }))).toEqual({
      ok: true,
      data: { deleted: 2 },
    });
    expect((await snapshot(u.id)).map((k) => k.id)).toEqual([c.id]);
    expect(await deleteKeysAction({ ids: [] })).toMatchObject({ ok: false, error: { code: "validation" } });
  });

  it("regenerates: a new secret for the same key, the old one gone", async () => {
    const u = await signedIn();
    const k = await makeKey(u.id);
    const r = await regenerateKeyAction({ id: k.id });
    expect(r.ok && r.data.key).toMatch(/^sk-\w{48}$/);
    expect(r.ok && r.data.key).not.toBe(k.key);
    const { findKey } = await import("./authorize");
    expect(await findKey(k.key, true)).toBeNull();
    expect((await findKey(r.ok ? r.data.key : "", true))?.tokenId).toBe(k.id);
  });
});
