import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Cross-node cache invalidation through a real Redis: what one node invalidates, the others drop.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let other: Redis;

beforeAll(async () => {
  const { resetEnvCache } = await import("@/lib/env");
  const { closeBus } = await import("./bus");
  await closeBus();
  process.env.REDIS_URL = REDIS_URL;
  resetEnvCache();
  other = new Redis(REDIS_URL);
});

afterAll(async () => {
  await other.quit();
  delete process.env.REDIS_URL;
  (await import("@/lib/env")).resetEnvCache();
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe("cache bus over Redis", () => {
  it("delivers another node's invalidation to local listeners, and publishes local ones", async () => {
    const { invalidate, onInvalidate } = await import("./bus");
    const seen: string[] = [];
    onInvalidate("key", (id) => seen.push(id));
    // local invalidation: seen at once, and published for the other nodes
    const sub = other.duplicate();
    const published: string[] = [];
    await sub.subscribe("tollgate:invalidate");
    sub.on("message", (_c: string, m: string) => published.push(m));
    await new Promise((r) => setTimeout(r, 200)); // let the bus's own subscription settle
    invalidate("key", 42);
    expect(seen).toEqual(["42"]);
    expect(await until(() => published.includes("key:42"))).toBe(true);
    // another node's invalidation
    await other.publish("tollgate:invalidate", "key:7");
    expect(await until(() => seen.includes("7"))).toBe(true);
    await sub.quit();
  });
});
