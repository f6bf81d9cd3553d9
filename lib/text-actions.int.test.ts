import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { makeKey, makeUser } from "@/tests/factories";
import { truncateAll } from "@/tests/truncate";

// Text with a NUL (U+0000) sent to server actions, as a browser (or a script posting to the action)
// can: PostgreSQL text cannot hold it, so before the schema refused it the query failed and the
// action answered the generic internal error. Now it is a field error and nothing is written.
const state = vi.hoisted(() => ({
  locale: "en" as "en" | "zh",
  user: null as null | { id: number; username: string; displayName: string; role: number; group: string },
}));
vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => state.locale }));
vi.mock("@/lib/auth", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    getSessionUserOrThrow: async (minRole = 1) => {
      if (!state.user) throw new AppError("unauthenticated", "Please sign in first", 401);
      if (state.user.role < minRole) throw new AppError("forbidden", "Forbidden", 403);
      return state.user;
    },
  };
});

const { saveNotifySettingsAction } = await import("@/lib/notifications/actions");
const { myLogsAction } = await import("@/lib/logs/actions");
const { saveOptionsAction } = await import("@/lib/options/actions");

const NUL = "\u0000";
const as = (u: { id: number; username: string }, role = 1) => {
  state.user = { id: u.id, username: u.username, displayName: u.username, role, group: "default" };
};
const settingOf = async (id: number) =>
  (await db.user.findUniqueOrThrow({ where: { id }, select: { setting: true } })).setting;

beforeEach(async () => {
  await truncateAll();
  state.locale = "en";
  state.user = null;
});

describe("notification settings", () => {
  const fields: [string, Record<string, unknown>][] = [
    ["notificationEmail", { notificationEmail: `a${NUL}@example.com` }],
    ["webhookUrl", { webhookUrl: `https://hooks.example.com/x${NUL}` }],
    ["webhookSecret", { webhookSecret: `s3cret${NUL}` }],
    ["barkUrl", { barkUrl: `https://api.day.app/KEY/{{title}}${NUL}` }],
    ["gotifyUrl", { gotifyUrl: `https://gotify.example.com${NUL}` }],
    ["gotifyToken", { gotifyToken: `tok${NUL}en` }],
    ["gotifyPriority", { gotifyPriority: `5${NUL}` }],
    ["notifyType", { notifyType: `webhook${NUL}` }],
    ["threshold", { threshold: `1${NUL}` }],
    ["spendAlert", { spendAlert: `1${NUL}` }],
  ];

  it.each(fields)("a NUL in %s is a field error and saves nothing", async (field, input) => {
    const u = await makeUser();
    as(u);
    const ok = await saveNotifySettingsAction({ notifyType: "email", notificationEmail: "me@example.com" });
    expect(ok.ok).toBe(true);
    const before = await settingOf(u.id);

    // sent with a valid field beside it: the whole save is refused, not just the bad field
    const r = await saveNotifySettingsAction({ language: "zh", ...input });
    expect(r).toMatchObject({ ok: false, error: { code: "validation" } });
    if (r.ok) return;
    expect(Object.keys(r.error.fieldErrors ?? {})).toContain(field);
    expect(r.error.fieldErrors?.[field]?.join(" ")).toMatch(/NUL/);
    expect(await settingOf(u.id)).toEqual(before);
  });

  it("says so in Chinese too", async () => {
    const u = await makeUser();
    as(u);
    state.locale = "zh";
    const r = await saveNotifySettingsAction({ webhookUrl: `https://hooks.example.com/${NUL}` });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.webhookUrl).toEqual(["此处文字不能包含 NUL（U+0000）字符。"]);
  });
});

describe("log filters", () => {
  it("a NUL in a filter is a field error, not a failed query", async () => {
    const u = await makeUser();
    await makeKey(u.id, { name: "k1" });
    as(u);
    const r = await myLogsAction({ filters: { key: `k1${NUL}` } });
    expect(r).toMatchObject({ ok: false, error: { code: "validation" } });
    if (!r.ok) expect(Object.keys(r.error.fieldErrors ?? {}).join()).toMatch(/key/);
    // and the same filter without it runs
    expect((await myLogsAction({ filters: { key: "k1" } })).ok).toBe(true);
  });
});

describe("admin settings", () => {
  it("a NUL in an option's text is a field error and nothing is stored", async () => {
    const admin = await makeUser({ role: "root" });
    as(admin, 100);
    const r = await saveOptionsAction({ values: { SystemName: `Toll${NUL}gate` } });
    expect(r).toMatchObject({ ok: false, error: { code: "validation" } });
    const json = await saveOptionsAction({ values: { GroupRatio: '{"default": 1, "vip\\u0000": 2}' } });
    expect(json).toMatchObject({ ok: false });
    expect(await db.option.count()).toBe(0);
    expect((await saveOptionsAction({ values: { SystemName: "Tollgate" } })).ok).toBe(true);
  });
});
