import { Redis } from "ioredis";
import { env } from "@/lib/env";

// Fixed-window counters. With REDIS_URL every node shares one counter per key (INCR and PEXPIRE in
// one Lua call, so a window can never be left without its expiry); without it each process keeps
// its own. A Redis failure falls back to the in-process counter rather than failing open silently
// or locking everybody out.

export type RateLimitRule = {
  /** namespaces the key, e.g. "login:ip" */
  name: string;
  limit: number;
  windowMs: number;
};

export type RateLimitResult = {
  /** true while the count, including this hit, is within the limit */
  allowed: boolean;
  count: number;
  remaining: number;
  /** milliseconds until the window ends and the count starts again from zero */
  resetMs: number;
};

export interface RateLimitStore {
  /** adds one to the window's counter (opening a window if none is live); returns the new count and the time left */
  incr(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** the current count without changing it (0 and ttl 0 when there is no window) */
  get(key: string): Promise<{ count: number; ttlMs: number }>;
  /** takes one back (never below zero), e.g. after an attempt that turned out fine */
  decr(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  /** keeps a live window open at least `ttlMs` from now (never shortens it; no window, no-op) */
  extend(key: string, ttlMs: number): Promise<void>;
}

const KEY_PREFIX = "tollgate:rl:";

/** In-process fixed windows. Expired entries are dropped lazily and by a sweep every 1,000 writes. */
export class MemoryRateLimitStore implements RateLimitStore {
  private windows = new Map<string, { count: number; resetAt: number }>();
  private writes = 0;

  constructor(private now: () => number = Date.now) {}

  private live(key: string) {
    const w = this.windows.get(key);
    if (w && w.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private sweep() {
    if (++this.writes % 1000 !== 0) return;
    const now = this.now();
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }

  async incr(key: string, windowMs: number) {
    this.sweep();
    let w = this.live(key);
    if (!w) this.windows.set(key, (w = { count: 0, resetAt: this.now() + windowMs }));
    w.count += 1;
    return { count: w.count, ttlMs: w.resetAt - this.now() };
  }

  async get(key: string) {
    const w = this.live(key);
    return w ? { count: w.count, ttlMs: w.resetAt - this.now() } : { count: 0, ttlMs: 0 };
  }

  async decr(key: string) {
    const w = this.live(key);
    if (w && w.count > 0) w.count -= 1;
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  async extend(key: string, ttlMs: number) {
    const w = this.live(key);
    if (w) w.resetAt = Math.max(w.resetAt, this.now() + ttlMs);
  }

  /** number of live windows (tests) */
  size(): number {
    return this.windows.size;
  }
}

// INCR, then set the expiry when the window is new (or somehow lost its TTL); returns {count, pttl}.
const INCR_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
local t = redis.call('PTTL', KEYS[1])
if c == 1 or t < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  t = tonumber(ARGV[1])
end
return {c, t}`;

// DECR only an existing window and never below zero (a missing key must not become -1 without a TTL).
const DECR_SCRIPT = `
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

// PEXPIRE only a live window, and only to lengthen it (PEXPIRE ... GT needs Redis 7).
const EXTEND_SCRIPT = `
local t = redis.call('PTTL', KEYS[1])
if t >= 0 and t < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0`;

export class RedisRateLimitStore implements RateLimitStore {
  /** `prefix` keeps the keys of a test run apart from those of a server sharing the Redis */
  constructor(
    private redis: Redis,
    private prefix = KEY_PREFIX,
  ) {}

  async incr(key: string, windowMs: number) {
    const [count, ttlMs] = (await this.redis.eval(INCR_SCRIPT, 1, this.prefix + key, String(windowMs))) as [
      number,
      number,
    ];
    return { count: Number(count), ttlMs: Number(ttlMs) };
  }

  async get(key: string) {
    const replies = await this.redis
      .multi()
      .get(this.prefix + key)
      .pttl(this.prefix + key)
      .exec();
    if (!replies) throw new Error("rate-limit: Redis transaction aborted");
    const [[getErr, value], [ttlErr, ttl]] = replies;
    if (getErr || ttlErr) throw getErr ?? ttlErr;
    const count = Number(value ?? 0);
    return count > 0 ? { count, ttlMs: Math.max(0, Number(ttl)) } : { count: 0, ttlMs: 0 };
  }

  async decr(key: string) {
    await this.redis.eval(DECR_SCRIPT, 1, this.prefix + key);
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async extend(key: string, ttlMs: number) {
    await this.redis.eval(EXTEND_SCRIPT, 1, this.prefix + key, String(Math.ceil(ttlMs)));
  }
}

/** Uses the Redis store and, when a Redis call fails, the in-process one. */
export class FallbackRateLimitStore implements RateLimitStore {
  private warned = false;
  constructor(
    private primary: RateLimitStore,
    private fallback: RateLimitStore,
  ) {}

  private async run<T>(op: (s: RateLimitStore) => Promise<T>): Promise<T> {
    try {
      return await op(this.primary);
    } catch (e) {
      if (!this.warned) {
        this.warned = true;
        console.error("rate-limit: Redis unavailable, counting in process", e);
      }
      return op(this.fallback);
    }
  }

  incr(key: string, windowMs: number) {
    return this.run((s) => s.incr(key, windowMs));
  }
  get(key: string) {
    return this.run((s) => s.get(key));
  }
  decr(key: string) {
    return this.run((s) => s.decr(key));
  }
  reset(key: string) {
    return this.run((s) => s.reset(key));
  }
  extend(key: string, ttlMs: number) {
    return this.run((s) => s.extend(key, ttlMs));
  }
}

const g = globalThis as unknown as { tollgateRateLimitStore?: RateLimitStore };

function defaultStore(): RateLimitStore {
  if (g.tollgateRateLimitStore) return g.tollgateRateLimitStore;
  const memory = new MemoryRateLimitStore();
  const url = env().REDIS_URL;
  if (!url) return (g.tollgateRateLimitStore = memory);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on("error", () => {});
  return (g.tollgateRateLimitStore = new FallbackRateLimitStore(new RedisRateLimitStore(redis), memory));
}

const storeKey = (rule: RateLimitRule, id: string) => `${rule.name}:${id}`;

function result(rule: RateLimitRule, count: number, ttlMs: number): RateLimitResult {
  return {
    allowed: count <= rule.limit,
    count,
    remaining: Math.max(0, rule.limit - count),
    resetMs: Math.max(0, ttlMs),
  };
}

/**
 * A named limit. `hit` counts an attempt and says whether it is within the limit; `peek` only
 * looks. Count before doing the work (a burst of parallel attempts cannot slip past a check), and
 * `undo` or `reset` afterwards when the attempt should not count.
 */
export function rateLimiter(rule: RateLimitRule, store?: RateLimitStore) {
  // resolved per call: creating a limiter at module load must not read the environment (next build)
  const s = () => store ?? defaultStore();
  return {
    rule,
    async hit(id: string): Promise<RateLimitResult> {
      const { count, ttlMs } = await s().incr(storeKey(rule, id), rule.windowMs);
      return result(rule, count, ttlMs);
    },
    /** `allowed` here means: one more hit would still be within the limit */
    async peek(id: string): Promise<RateLimitResult> {
      const { count, ttlMs } = await s().get(storeKey(rule, id));
      return { ...result(rule, count, ttlMs), allowed: count < rule.limit };
    },
    async undo(id: string): Promise<void> {
      await s().decr(storeKey(rule, id));
    },
    async reset(id: string): Promise<void> {
      await s().reset(storeKey(rule, id));
    },
    /** keeps the current window (if any) open at least `ttlMs` longer: a lock that grows (backoff) */
    async extend(id: string, ttlMs: number): Promise<void> {
      await s().extend(storeKey(rule, id), ttlMs);
    },
  };
}

export type RateLimiter = ReturnType<typeof rateLimiter>;

/** tests: replace (or with no argument forget) the process-wide store */
export function setRateLimitStore(store?: RateLimitStore): void {
  g.tollgateRateLimitStore = store;
}
