import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { MemoryRateLimitStore, setRateLimitStore } from "@/lib/cache/rate-limit";
import { createUser } from "@/lib/users/service";
import { LoginError } from "./errors";
import { authorizeCredentials } from "./login";

const PASSWORD = "correct horse";

async function attempt(username: string, password: string, ip = "203.0.113.10") {
  try {
    return { ok: true as const, user: await authorizeCredentials({ username, password }, ip) };
  } catch (e) {
    if (!(e instanceof LoginError)) throw e;
    return { ok: false as const, code: e.code, minutes: e.minutes };
  }
}

let n = 0;
async function newUser(status = 1) {
  const username = `user${++n}`;
  const user = await createUser({ username, password: PASSWORD });
  if (status !== 1) await db.user.update({ where: { id: user.id }, data: { status } });
  return user;
}

beforeEach(() => {
  // a fresh in-process store per test: counters of one test never leak into the next
  setRateLimitStore(new MemoryRateLimitStore());
});

describe("authorizeCredentials", () => {
  it("accepts the right password, writes a type-7 login log with the IP and sets last_login_at", async () => {
    const u = await newUser();
    const r = await attempt(u.username, PASSWORD, "198.51.100.4");
    expect(r).toEqual({ ok: true, user: { id: u.id, username: u.username, authVersion: 1 } });
    const logs = await db.log.findMany({ where: { userId: u.id } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 7, content: "login", ip: "198.51.100.4", username: u.username });
    const row = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.lastLoginAt).toBeInstanceOf(Date);
    expect(Date.now() - row.lastLoginAt!.getTime()).toBeLessThan(60_000);
  });

  it("refuses a wrong password, an unknown user and malformed input alike, and logs nothing", async () => {
    const u = await newUser();
    expect(await attempt(u.username, "wrong password")).toMatchObject({ ok: false, code: "invalid" });
    expect(await attempt("nobody-here", PASSWORD)).toMatchObject({ ok: false, code: "invalid" });
    expect(await attempt(u.username.toUpperCase(), PASSWORD)).toMatchObject({ ok: false, code: "invalid" });
    await expect(authorizeCredentials({ username: u.username }, "203.0.113.10")).rejects.toMatchObject({ code: "invalid" });
    await expect(authorizeCredentials("junk", "203.0.113.10")).rejects.toMatchObject({ code: "invalid" });
    await expect(authorizeCredentials({ username: "x", password: "y".repeat(10_000) }, "203.0.113.10")).rejects.toMatchObject({ code: "invalid" });
    expect(await db.log.count({ where: { userId: u.id } })).toBe(0);
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).lastLoginAt).toBeNull();
  });

  it("tells a disabled user so, only when the password is right", async () => {
    const u = await newUser(2);
    expect(await attempt(u.username, "wrong password")).toMatchObject({ ok: false, code: "invalid" });
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ ok: false, code: "disabled" });
    expect(await db.log.count({ where: { userId: u.id } })).toBe(0);
  });

  it("refuses the 6th attempt after 5 failures for 15 minutes, even with the right password", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) expect(await attempt(u.username, `wrong${i}`)).toMatchObject({ code: "invalid" });
    expect(await attempt(u.username, PASSWORD)).toEqual({ ok: false, code: "rate_limited", minutes: 15 });
    // the same username from another address, and another username from this one, are not blocked
    expect(await attempt(u.username, PASSWORD, "198.51.100.99")).toMatchObject({ ok: true });
    const other = await newUser();
    expect(await attempt(other.username, PASSWORD)).toMatchObject({ ok: true });
    // usernames differing in case share the counter
    expect(await attempt(u.username.toUpperCase(), PASSWORD)).toMatchObject({ code: "rate_limited" });
  });

  it("clears the username+IP counter after a successful sign-in", async () => {
    const u = await newUser();
    for (let i = 0; i < 4; i++) await attempt(u.username, "wrong");
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) expect(await attempt(u.username, "wrong")).toMatchObject({ code: "invalid" });
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ ok: true });
  });

  it("caps failures per IP across usernames", async () => {
    const target = await newUser();
    for (let i = 0; i < 30; i++) expect(await attempt(`guess${i}`, "wrong", "192.0.2.1")).toMatchObject({ code: "invalid" });
    expect(await attempt(target.username, PASSWORD, "192.0.2.1")).toMatchObject({ code: "rate_limited" });
    expect(await attempt(target.username, PASSWORD, "192.0.2.2")).toMatchObject({ ok: true });
  });

  it("caps failures per username across addresses", async () => {
    const u = await newUser();
    for (let i = 0; i < 50; i++) await attempt(u.username, "wrong", `10.0.${i}.1`);
    expect(await attempt(u.username, PASSWORD, "10.9.9.9")).toMatchObject({ code: "rate_limited" });
  });

  it("lets only 5 of 12 parallel guesses reach the password check", async () => {
    const u = await newUser();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(u.username, `guess${i}`)));
    expect(results.filter((r) => !r.ok && r.code === "invalid")).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.code === "rate_limited")).toHaveLength(7);
  });
});
