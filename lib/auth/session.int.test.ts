import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { MemoryRateLimitStore, setRateLimitStore } from "@/lib/cache/rate-limit";
import { verifyPassword } from "@/lib/users/password";
import { changePassword, createUser, revokeSessions } from "@/lib/users/service";
import { truncateAll } from "@/tests/truncate";
import { authorizeCredentials } from "./login";
import { authOptions } from "./options";
import { loadSessionUser } from "./session";

const PASSWORD = "correct horse";
const NEW_PASSWORD = "battery staple";

/** what the JWT of a fresh sign-in carries (lib/auth/options.ts jwt callback) */
async function signIn(username: string, password = PASSWORD) {
  const u = await authorizeCredentials({ username, password }, "203.0.113.20");
  return { uid: u.id, av: u.authVersion };
}

let n = 0;
const newUser = () => createUser({ username: `sess${++n}`, password: PASSWORD });

beforeEach(async () => {
  await truncateAll();
  setRateLimitStore(new MemoryRateLimitStore());
});

describe("sessions end on the server", () => {
  it("sign-out revokes the signed-out token and every copy of it", async () => {
    const u = await newUser();
    const token = await signIn(u.username);
    expect(await loadSessionUser(token)).toMatchObject({ id: u.id, username: u.username });
    await authOptions.events!.signOut!({ token, session: undefined as never });
    expect(await loadSessionUser(token)).toBeNull();
    // signing in again works, with a new version
    const again = await signIn(u.username);
    expect(again.av).toBe(token.av + 1);
    expect(await loadSessionUser(again)).not.toBeNull();
  });

  it("a cookie already revoked cannot sign out the session that replaced it", async () => {
    const u = await newUser();
    const old = await signIn(u.username);
    expect(await revokeSessions(u.id, old.av)).toBe(true);
    const current = await signIn(u.username);
    await authOptions.events!.signOut!({ token: old, session: undefined as never });
    expect(await revokeSessions(u.id, old.av)).toBe(false);
    expect(await loadSessionUser(current)).not.toBeNull();
  });

  it("a password change ends every session and only the new password signs in", async () => {
    const u = await newUser();
    const laptop = await signIn(u.username);
    const phone = await signIn(u.username);
    const { authVersion } = await changePassword(u.id, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(authVersion).toBe(laptop.av + 1);
    expect(await loadSessionUser(laptop)).toBeNull();
    expect(await loadSessionUser(phone)).toBeNull();
    // a session issued for the new version (the caller's own, re-issued) is valid
    expect(await loadSessionUser({ uid: u.id, av: authVersion })).not.toBeNull();
    await expect(signIn(u.username, PASSWORD)).rejects.toMatchObject({ code: "invalid" });
    expect(await signIn(u.username, NEW_PASSWORD)).toEqual({ uid: u.id, av: authVersion });
  });

  it("a wrong current password or a bad new one changes nothing", async () => {
    const u = await newUser();
    const token = await signIn(u.username);
    const before = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    await expect(changePassword(u.id, { currentPassword: "not it", newPassword: NEW_PASSWORD })).rejects.toMatchObject({
      code: "wrong_password",
      fieldErrors: { currentPassword: expect.any(Array) },
    });
    await expect(changePassword(u.id, { currentPassword: PASSWORD, newPassword: "short" })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { newPassword: expect.any(Array) },
    });
    const after = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.authVersion).toBe(before.authVersion);
    expect(await loadSessionUser(token)).not.toBeNull();
  });

  it("two changes racing with the same current password: one wins, the other is refused", async () => {
    const u = await newUser();
    const results = await Promise.allSettled([
      changePassword(u.id, { currentPassword: PASSWORD, newPassword: "first-new-pass" }),
      changePassword(u.id, { currentPassword: PASSWORD, newPassword: "second-new-pass" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "wrong_password" } });
    const row = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.authVersion).toBe(2);
    const winner = (await verifyPassword("first-new-pass", row.passwordHash)) ? "first-new-pass" : "second-new-pass";
    expect(await verifyPassword(winner, row.passwordHash)).toBe(true);
  });

  it("refuses malformed claims and disabled users", async () => {
    const u = await newUser();
    const token = await signIn(u.username);
    for (const bad of [
      null,
      {},
      { uid: String(u.id), av: token.av },
      { uid: u.id },
      { uid: u.id, av: String(token.av) },
      { uid: 1.5, av: 1 },
    ]) {
      expect(await loadSessionUser(bad)).toBeNull();
    }
    await db.user.update({ where: { id: u.id }, data: { status: 2 } });
    expect(await loadSessionUser(token)).toBeNull();
  });
});
