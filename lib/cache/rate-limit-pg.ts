import "server-only";
import { Redis } from "ioredis";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { FallbackRateLimitStore, RedisRateLimitStore, type RateLimitStore } from "./rate-limit";

// Fixed windows in PostgreSQL (table rate_limit_windows): one counter per key for every app
// process, for limits that must hold across nodes when there is no Redis (notifications: 2 per
// 10 minutes per user and type). Each operation is one atomic statement: an expired window is
// restarted by the same upsert that counts the hit.

export class PostgresRateLimitStore implements RateLimitStore {
  constructor(private prefix = "") {}

  async incr(key: string, windowMs: number) {
    const rows = await db.$queryRaw<{ count: number; ttl: number }[]>`
      INSERT INTO rate_limit_windows AS w (key, count, reset_at)
        VALUES (${this.prefix + key}, 1, now() + ${windowMs}::int * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN w.reset_at <= now() THEN 1 ELSE w.count + 1 END,
        reset_at = CASE WHEN w.reset_at <= now() THEN EXCLUDED.reset_at ELSE w.reset_at END
      RETURNING count, GREATEST(0, extract(epoch FROM reset_at - now()) * 1000)::int AS ttl`;
    return { count: rows[0].count, ttlMs: rows[0].ttl };
  }

  async get(key: string) {
    const rows = await db.$queryRaw<{ count: number; ttl: number }[]>`
      SELECT count, GREATEST(0, extract(epoch FROM reset_at - now()) * 1000)::int AS ttl
      FROM rate_limit_windows WHERE key = ${this.prefix + key} AND reset_at > now()`;
    return rows.length ? { count: rows[0].count, ttlMs: rows[0].ttl } : { count: 0, ttlMs: 0 };
  }

  async decr(key: string) {
    await db.$executeRaw`
      UPDATE rate_limit_windows SET count = count - 1 WHERE key = ${this.prefix + key} AND count > 0 AND reset_at > now()`;
  }

  async reset(key: string) {
    await db.$executeRaw`DELETE FROM rate_limit_windows WHERE key = ${this.prefix + key}`;
  }

  async extend(key: string, ttlMs: number) {
    await db.$executeRaw`
      UPDATE rate_limit_windows SET reset_at = GREATEST(reset_at, now() + ${Math.ceil(ttlMs)}::int * interval '1 millisecond')
      WHERE key = ${this.prefix + key} AND reset_at > now()`;
  }
}

/** drops windows that ended more than an hour ago (run now and then by a worker) */
export async function pruneRateLimitWindows(): Promise<number> {
  return db.$executeRaw`DELETE FROM rate_limit_windows WHERE reset_at < now() - interval '1 hour'`;
}

const g = globalThis as unknown as { tollgateSharedRateLimitStore?: RateLimitStore };

/**
 * A store every app process shares: Redis when REDIS_URL is set (PostgreSQL while Redis fails),
 * else PostgreSQL. For limits that must not multiply with the number of nodes.
 */
export function sharedRateLimitStore(): RateLimitStore {
  if (g.tollgateSharedRateLimitStore) return g.tollgateSharedRateLimitStore;
  const pgStore = new PostgresRateLimitStore();
  const url = env().REDIS_URL;
  if (!url) return (g.tollgateSharedRateLimitStore = pgStore);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on("error", () => {});
  return (g.tollgateSharedRateLimitStore = new FallbackRateLimitStore(new RedisRateLimitStore(redis), pgStore));
}
