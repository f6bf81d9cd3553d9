import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FallbackRateLimitStore,
  MemoryRateLimitStore,
  RedisRateLimitStore,
  rateLimiter,
  type RateLimitStore,
} from "./rate-limit";

const WINDOW = 15 * 60_000;

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** the behaviour every store must have, run against the in-process store and (when reachable) Redis */
function contract(name: string, makeStore: () => RateLimitStore, advance?: (ms: number) => void) {
  describe(name, () => {
    const id = () => `t-${Math.random().toString(36).slice(2)}`;

    it("allows `limit` hits in a window and refuses the next ones", async () => {
      const rl = rateLimiter({ name: "test:a", limit: 5, windowMs: WINDOW }, makeStore());
      const key = id();
      const results = [];
      for (let i = 0; i < 7; i++) results.push(await rl.hit(key));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(results[4].remaining).toBe(0);
      expect(results[5].resetMs).toBeGreaterThan(WINDOW - 5_000);
      expect(results[5].resetMs).toBeLessThanOrEqual(WINDOW);
    });

    it("keeps keys and rule names apart", async () => {
      const store = makeStore();
      const a = rateLimiter({ name: "test:b", limit: 1, windowMs: WINDOW }, store);
      const b = rateLimiter({ name: "test:c", limit: 1, windowMs: WINDOW }, store);
      const k1 = id();
      const k2 = id();
      expect((await a.hit(k1)).allowed).toBe(true);
      expect((await a.hit(k1)).allowed).toBe(false);
      expect((await a.hit(k2)).allowed).toBe(true);
      expect((await b.hit(k1)).allowed).toBe(true);
    });

    it("peek does not count; undo takes one back but never below zero; reset clears", async () => {
      const rl = rateLimiter({ name: "test:d", limit: 2, windowMs: WINDOW }, makeStore());
      const key = id();
      expect(await rl.peek(key)).toMatchObject({ allowed: true, count: 0, resetMs: 0 });
      await rl.undo(key); // nothing to undo: must not go negative
      expect((await rl.peek(key)).count).toBe(0);
      await rl.hit(key);
      await rl.hit(key);
      expect(await rl.peek(key)).toMatchObject({ allowed: false, count: 2 });
      await rl.undo(key);
      expect(await rl.peek(key)).toMatchObject({ allowed: true, count: 1 });
      await rl.reset(key);
      expect(await rl.peek(key)).toMatchObject({ allowed: true, count: 0 });
      expect((await rl.hit(key)).count).toBe(1);
    });

    it("extend lengthens a live window, never shortens it, and opens none", async () => {
      const rl = rateLimiter({ name: "test:x", limit: 1, windowMs: 60_000 }, makeStore());
      const key = id();
      await rl.extend(key, 600_000); // no window: nothing to extend
      expect(await rl.peek(key)).toMatchObject({ count: 0, resetMs: 0 });
      await rl.hit(key);
      await rl.extend(key, 600_000);
      const long = await rl.peek(key);
      expect(long.count).toBe(1);
      expect(long.resetMs).toBeGreaterThan(595_000);
      expect(long.resetMs).toBeLessThanOrEqual(600_000);
      await rl.extend(key, 1_000); // shorter: ignored
      expect((await rl.peek(key)).resetMs).toBeGreaterThan(595_000);
      // the count carries on in the lengthened window
      expect(await rl.hit(key)).toMatchObject({ allowed: false, count: 2 });
      await rl.reset(key);
    });

    it("counts concurrent hits exactly", async () => {
      const rl = rateLimiter({ name: "test:e", limit: 10, windowMs: WINDOW }, makeStore());
      const key = id();
      const results = await Promise.all(Array.from({ length: 25 }, () => rl.hit(key)));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });

    if (advance) {
      it("starts a new window after the old one ends (fixed window)", async () => {
        const rl = rateLimiter({ name: "test:f", limit: 2, windowMs: 1_000 }, makeStore());
        const key = id();
        await rl.hit(key);
        advance(600);
        await rl.hit(key);
        expect((await rl.hit(key)).allowed).toBe(false);
        advance(399);
        expect((await rl.hit(key)).allowed).toBe(false);
        advance(1);
        const fresh = await rl.hit(key);
        expect(fresh).toMatchObject({ allowed: true, count: 1 });
        expect(fresh.resetMs).toBe(1_000);
      });

      it("an extended window ends at its new time, not the old one", async () => {
        const rl = rateLimiter({ name: "test:y", limit: 1, windowMs: 1_000 }, makeStore());
        const key = id();
        await rl.hit(key);
        await rl.extend(key, 5_000);
        advance(4_999);
        expect(await rl.hit(key)).toMatchObject({ allowed: false, count: 2 });
        advance(1);
        expect(await rl.hit(key)).toMatchObject({ allowed: true, count: 1 });
      });
    }
  });
}

const c = clock();
const memory = new MemoryRateLimitStore(c.now);
contract("MemoryRateLimitStore", () => memory, c.advance);

describe("MemoryRateLimitStore housekeeping", () => {
  it("drops expired windows instead of growing without bound", async () => {
    const k = clock();
    const store = new MemoryRateLimitStore(k.now);
    const rl = rateLimiter({ name: "test:g", limit: 1, windowMs: 1_000 }, store);
    for (let i = 0; i < 999; i++) await rl.hit(`ip-${i}`);
    expect(store.size()).toBe(999);
    k.advance(1_000);
    await rl.hit("one-more"); // the 1000th write sweeps
    expect(store.size()).toBe(1);
  });
});

describe("FallbackRateLimitStore", () => {
  it("keeps limiting in process when the shared store fails", async () => {
    const down: RateLimitStore = {
      incr: () => Promise.reject(new Error("ECONNREFUSED")),
      get: () => Promise.reject(new Error("ECONNREFUSED")),
      decr: () => Promise.reject(new Error("ECONNREFUSED")),
      reset: () => Promise.reject(new Error("ECONNREFUSED")),
      extend: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const spy = console.error;
    console.error = () => {};
    try {
      const rl = rateLimiter(
        { name: "test:fallback", limit: 2, windowMs: WINDOW },
        new FallbackRateLimitStore(down, new MemoryRateLimitStore()),
      );
      expect((await rl.hit("k")).allowed).toBe(true);
      expect((await rl.hit("k")).allowed).toBe(true);
      expect((await rl.hit("k")).allowed).toBe(false);
      await rl.reset("k");
      expect((await rl.peek("k")).count).toBe(0);
    } finally {
      console.error = spy;
    }
  });
});

// Redis: the local server when reachable (CI sets REDIS_URL or runs redis-server on 6379).
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

describe("RedisRateLimitStore", () => {
  it("behaves like the in-process store (skipped when no Redis is reachable)", async (ctx) => {
    if (!redisUp || !redis) return ctx.skip();
    const store = new RedisRateLimitStore(redis);
    const rl = rateLimiter({ name: "test:redis", limit: 3, windowMs: 60_000 }, store);
    const key = `t-${Math.random().toString(36).slice(2)}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => rl.hit(key)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    const ttl = await redis.pttl(`tollgate:rl:test:redis:${key}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await rl.undo(key);
    expect((await rl.peek(key)).count).toBe(7);
    await rl.reset(key);
    expect(await rl.peek(key)).toMatchObject({ count: 0, allowed: true });
    await rl.undo(key); // must not leave a -1 without expiry behind
    expect(await redis.exists(`tollgate:rl:test:redis:${key}`)).toBe(0);
  });

  it("extend lengthens a window like the in-process store does", async (ctx) => {
    if (!redisUp || !redis) return ctx.skip();
    const rl = rateLimiter({ name: "test:redis3", limit: 1, windowMs: 60_000 }, new RedisRateLimitStore(redis));
    const key = `t-${Math.random().toString(36).slice(2)}`;
    const redisKey = `tollgate:rl:test:redis3:${key}`;
    await rl.extend(key, 600_000);
    expect(await redis.exists(redisKey)).toBe(0);
    await rl.hit(key);
    await rl.extend(key, 600_000);
    expect(await redis.pttl(redisKey)).toBeGreaterThan(595_000);
    await rl.extend(key, 1_000);
    expect(await redis.pttl(redisKey)).toBeGreaterThan(595_000);
    expect(await rl.hit(key)).toMatchObject({ allowed: false, count: 2 });
    await rl.reset(key);
  });

  it("restores a lost expiry on the next hit", async (ctx) => {
    if (!redisUp || !redis) return ctx.skip();
    const store = new RedisRateLimitStore(redis);
    const rl = rateLimiter({ name: "test:redis2", limit: 3, windowMs: 60_000 }, store);
    const key = `t-${Math.random().toString(36).slice(2)}`;
    await redis.set(`tollgate:rl:test:redis2:${key}`, "2"); // no TTL, e.g. written by hand
    const r = await rl.hit(key);
    expect(r.count).toBe(3);
    expect(await redis.pttl(`tollgate:rl:test:redis2:${key}`)).toBeGreaterThan(0);
    await rl.reset(key);
  });
});
