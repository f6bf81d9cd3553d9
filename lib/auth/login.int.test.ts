import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import {
  MemoryRateLimitStore,
  RedisRateLimitStore,
  setRateLimitStore,
  type RateLimitStore,
} from "@/lib/cache/rate-limit";
import { createUser } from "@/lib/users/service";
import { isLoginError, parseLoginError } from "./errors";
import { authorizeCredentials, LOGIN_LIMITS } from "./login";

const PASSWORD = "correct horse";

async function attempt(username: string, password: string, ip = "203.0.113.10") {
  try {
    return { ok: true as const, user: await authorizeCredentials({ username, password }, ip) };
  } catch (e) {
    if (!isLoginError(e)) throw e;
    return { ok: false as const, code: e.code, minutes: parseLoginError(e.message)?.minutes };
  }
}

// random names: the Redis runs below must not meet counters of an earlier run
const run = randomBytes(3).toString("hex");
let n = 0;
async function newUser(status = 1, role: "user" | "root" = "user") {
  const username = `u${run}_${++n}`;
  const user = await createUser({ username, password: PASSWORD, role });
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
    await expect(authorizeCredentials({ username: u.username }, "203.0.113.10")).rejects.toMatchObject({
      code: "invalid",
    });
    await expect(authorizeCredentials("junk", "203.0.113.10")).rejects.toMatchObject({ code: "invalid" });
    await expect(
      authorizeCredentials({ username: "x", password: "y".repeat(10_000) }, "203.0.113.10"),
    ).rejects.toMatchObject({ code: "invalid" });
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
    for (let i = 0; i < 30; i++)
      expect(await attempt(`guess${i}`, "wrong", "192.0.2.1")).toMatchObject({ code: "invalid" });
    expect(await attempt(target.username, PASSWORD, "192.0.2.1")).toMatchObject({ code: "rate_limited" });
    expect(await attempt(target.username, PASSWORD, "192.0.2.2")).toMatchObject({ ok: true });
  });

  it("lets only 5 of 12 parallel guesses reach the password check", async () => {
    const u = await newUser();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(u.username, `guess${i}`)));
    expect(results.filter((r) => !r.ok && r.code === "invalid")).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.code === "rate_limited")).toHaveLength(7);
  });
});

// The lock-out rules, against the in-process store and (when reachable) Redis: both must behave alike.
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let redis: Redis | undefined;
let redisUp = false;

beforeAll(async () => {
  redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 500,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    redisUp = (await redis.ping()) === "PONG";
  } catch {
    redisUp = false;
  }
});

afterAll(async () => {
  await redis?.quit().catch(() => {});
});

const STORES: [string, () => RateLimitStore | null][] = [
  ["in-process store", () => new MemoryRateLimitStore()],
  ["Redis store", () => (redisUp && redis ? new RedisRateLimitStore(redis, `tollgate:rl:test-${run}:`) : null)],
];

describe.each(STORES)("lock-out rules (%s)", (_name, makeStore) => {
  beforeEach((ctx) => {
    const store = makeStore();
    if (!store) return ctx.skip(); // no Redis reachable
    setRateLimitStore(store);
  });

  it("50 wrong passwords from a few addresses do not lock the owner (root) out of a clean address", async () => {
    const root = await newUser(1, "root");
    const attackers = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"];
    for (let i = 0; i < 50; i++) await attempt(root.username, `guess${i}`, attackers[i % attackers.length]);
    expect(await attempt(root.username, PASSWORD, "198.51.100.7")).toMatchObject({ ok: true });
  });

  it("while a username is under attack, an address that already failed at it gets no second guess", async () => {
    const u = await newUser();
    for (let i = 0; i < 50; i++) await attempt(u.username, "wrong", `10.1.${i}.1`);
    // failed once, far below its own limit of 5: refused now, even with the right password
    expect(await attempt(u.username, PASSWORD, "10.1.3.1")).toMatchObject({ code: "rate_limited" });
    // a new address still gets its one try: a wrong one is just wrong, the right one gets in
    expect(await attempt(u.username, "wrong", "10.2.0.1")).toMatchObject({ code: "invalid" });
    expect(await attempt(u.username, PASSWORD, "10.2.0.2")).toMatchObject({ ok: true });
  });

  it("a second lock-out of the same address and username lasts twice as long", async () => {
    const u = await newUser();
    const pair = `203.0.113.10|${u.username.toLowerCase()}`;
    await LOGIN_LIMITS.strikes.hit(pair); // as if locked out once earlier today
    for (let i = 0; i < 5; i++) expect(await attempt(u.username, `wrong${i}`)).toMatchObject({ code: "invalid" });
    expect(await attempt(u.username, PASSWORD)).toEqual({ ok: false, code: "rate_limited", minutes: 30 });
    // another address is not affected
    expect(await attempt(u.username, PASSWORD, "203.0.113.11")).toMatchObject({ ok: true });
  });
});

describe("lock-out backoff over time", () => {
  it("grows 15, 30, 60 minutes with each lock-out, and a successful sign-in starts over", async () => {
    let now = 1_000_000_000;
    setRateLimitStore(new MemoryRateLimitStore(() => now));
    const u = await newUser();
    const lockOut = async () => {
      for (let i = 0; i < 5; i++) expect(await attempt(u.username, `wrong${i}`)).toMatchObject({ code: "invalid" });
    };
    await lockOut();
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ code: "rate_limited", minutes: 15 });
    now += 15 * 60_000;
    await lockOut();
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ code: "rate_limited", minutes: 30 });
    now += 29 * 60_000;
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ code: "rate_limited", minutes: 1 });
    now += 60_000;
    await lockOut();
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ code: "rate_limited", minutes: 60 });
    now += 60 * 60_000;
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ ok: true });
    // the success cleared the lock-outs: the next one is 15 minutes again
    await lockOut();
    expect(await attempt(u.username, PASSWORD)).toMatchObject({ code: "rate_limited", minutes: 15 });
  });
});
