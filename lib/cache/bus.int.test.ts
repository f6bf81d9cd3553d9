import { spawn } from "node:child_process";
import net from "node:net";
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

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

describe("cache bus when Redis starts after the app", () => {
  it("subscribes once Redis is reachable", async () => {
    const { closeBus, onInvalidate } = await import("./bus");
    const { resetEnvCache } = await import("@/lib/env");
    await closeBus();
    const port = await freePort();
    process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
    resetEnvCache();
    const seen: string[] = [];
    onInvalidate("late", (id) => seen.push(id)); // starts the bus: Redis is not there yet
    await new Promise((r) => setTimeout(r, 1500)); // long enough for ioredis to give up the first subscribe
    const server = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    try {
      const peer = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: (n) => (n > 50 ? null : 100) });
      peer.on("error", () => {});
      // publish until the bus has subscribed (ioredis retries its connection meanwhile)
      const delivered = await (async () => {
        for (let i = 0; i < 100; i++) {
          await peer.publish("tollgate:invalidate", "late:1").catch(() => 0);
          if (seen.includes("1")) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      })();
      await peer.quit();
      expect(delivered).toBe(true);
    } finally {
      await closeBus();
      server.kill();
    }
  });
});
