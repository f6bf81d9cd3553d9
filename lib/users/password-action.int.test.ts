import { beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryRateLimitStore, setRateLimitStore } from "@/lib/cache/rate-limit";
import { db } from "@/lib/db";
import { loadSessionUser } from "@/lib/auth/session";
import { verifyPassword } from "@/lib/users/password";
import { createUser } from "@/lib/users/service";

// The settings page's password change, as the browser calls the action, against the real database;
// only the session and the language are stubbed.
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

const { changePasswordAction } = await import("./actions");

const PASSWORD = "correct horse";
const NEW_PASSWORD = "battery staple";

let n = 0;
async function signedIn() {
  const u = await createUser({ username: `pw${++n}`, password: PASSWORD });
  state.user = { id: u.id, username: u.username, displayName: u.username, role: 1, group: "default" };
  return u;
}
const row = (id: number) =>
  db.user.findUniqueOrThrow({ where: { id }, select: { passwordHash: true, authVersion: true } });

beforeEach(() => {
  state.locale = "en";
  state.user = null;
  setRateLimitStore(new MemoryRateLimitStore());
});

describe("changePasswordAction", () => {
  it("a wrong current password is an error on that field, in the user's language, and changes nothing", async () => {
    const u = await signedIn();
    const before = await row(u.id);
    const input = { currentPassword: "not it", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    expect(await changePasswordAction(input)).toEqual({
      ok: false,
      error: {
        code: "wrong_password",
        message: "The current password is wrong.",
        fieldErrors: { currentPassword: ["The current password is wrong."] },
      },
    });
    state.locale = "zh";
    const zh = await changePasswordAction(input);
    expect(zh).toMatchObject({ ok: false, error: { fieldErrors: { currentPassword: ["当前密码不正确。"] } } });
    expect(await row(u.id)).toEqual(before);
  });

  it("checks the new password as registration does, and its confirmation", async () => {
    const u = await signedIn();
    const before = await row(u.id);
    const short = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: "short",
      confirmPassword: "short",
    });
    expect(short).toMatchObject({ ok: false, error: { code: "validation" } });
    if (!short.ok) expect(Object.keys(short.error.fieldErrors ?? {})).toEqual(["newPassword"]);
    const mismatch = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: `${NEW_PASSWORD}!`,
    });
    expect(mismatch).toMatchObject({
      ok: false,
      error: { code: "validation", fieldErrors: { confirmPassword: ["The passwords do not match."] } },
    });
    expect(await row(u.id)).toEqual(before);
  });

  it("changes the password and ends every session issued before", async () => {
    const u = await signedIn();
    const before = await row(u.id);
    const oldSession = { uid: u.id, av: before.authVersion };
    expect(await loadSessionUser(oldSession)).not.toBeNull();
    const r = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(r).toEqual({ ok: true, data: { signedOut: true } });
    const after = await row(u.id);
    expect(after.authVersion).toBe(before.authVersion + 1);
    expect(await verifyPassword(NEW_PASSWORD, after.passwordHash)).toBe(true);
    expect(await verifyPassword(PASSWORD, after.passwordHash)).toBe(false);
    expect(await loadSessionUser(oldSession)).toBeNull();
  });

  it("stops checking after five wrong current passwords, even the right one, until the window ends", async () => {
    const u = await signedIn();
    const before = await row(u.id);
    for (let i = 0; i < 5; i++) {
      const r = await changePasswordAction({
        currentPassword: `guess ${i}`,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(r).toMatchObject({ ok: false, error: { code: "wrong_password" } });
    }
    const right = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(right).toMatchObject({
      ok: false,
      error: { code: "password_rate_limited", fieldErrors: { currentPassword: [expect.stringMatching(/Too many/)] } },
    });
    expect(await row(u.id)).toEqual(before);
    // a fresh window: the right password works again
    setRateLimitStore(new MemoryRateLimitStore());
    const later = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(later.ok).toBe(true);
  });

  it("needs a session", async () => {
    const r = await changePasswordAction({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(r).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
  });
});
