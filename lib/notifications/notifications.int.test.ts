import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MemoryRateLimitStore, RedisRateLimitStore } from "@/lib/cache/rate-limit";
import { PostgresRateLimitStore } from "@/lib/cache/rate-limit-pg";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { setOption } from "@/lib/options/service";
import { issueMessage } from "@/lib/i18n";
import { adjustUserQuota, redeemCode, transferAffQuota } from "@/lib/quota/credits";
import { createRedemptions } from "@/lib/redemption/service";
import { resolvePricing } from "@/lib/quota/pricing";
import { reserve } from "@/lib/quota/reserve";
import { settle } from "@/lib/quota/settle";
import { makeKey, makeUser, requestId } from "@/tests/factories";
import { truncateAll } from "@/tests/truncate";
import { OutboxWorker, backoffMs, sendNow } from "./outbox";
import { getNotifySettings, saveNotifySettings } from "./settings";
import { ZNotifySettingsForm } from "./schemas";

// Against the real PostgreSQL and real HTTP receivers on 127.0.0.1.

type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

/** a receiver on 127.0.0.1: `respond` gives the status of the n-th request, or "hold" to never answer it */
async function receiver(respond: (n: number, req: Received, res: http.ServerResponse) => number | "hold" = () => 200) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const r = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(parts).toString("utf8"),
      };
      got.push(r);
      const status = respond(got.length, r, res);
      if (status === "hold") return;
      res.statusCode = status;
      res.end(res.statusCode < 300 ? "ok" : "receiver says no");
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    got,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(ok));
    },
  };
}

/** tests/outbox-worker-process.ts in a child process: "ready" once connected, one pass after `go()` */
function startWorkerProcess(env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "tests/outbox-worker-process.ts"],
    {
      env: { ...process.env, TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS: "true", ...env },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  let out = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.startsWith("ready\n")) resolve();
    });
    child.on("error", reject);
  });
  const done = new Promise<number>((resolve, reject) =>
    child.on("exit", (code, signal) =>
      code === 0
        ? resolve(Number(out.slice("ready\n".length).trim()))
        : reject(new Error(`worker exit ${code ?? signal}`)),
    ),
  );
  return { child, ready, done, go: () => child.stdin.end("go\n") };
}

const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });

async function charge(userId: number, tokenId: number, quota: bigint) {
  const r = await reserve({
    owner: "relay",
    requestId: requestId(),
    userId,
    tokenId,
    model: "gpt-4o",
    group: "default",
    estimate: 1n,
    pricing,
  });
  return settle("relay", { reservationId: r.reservationId, quota, promptTokens: 10, completionTokens: 10 });
}

const rows = (userId: number, kind = "quota_exceed") =>
  db.notification.findMany({ where: { userId, kind }, orderBy: { id: "asc" }, include: { attemptLog: true } });

function setPrivateTargets(on: boolean) {
  process.env.TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS = on ? "true" : "false";
  resetEnvCache();
}

// user ids restart after each truncate: a fresh in-process limit store per test
const fast = { backoffBaseMs: 1, backoffMaxMs: 5, store: new MemoryRateLimitStore() };

beforeAll(() => setPrivateTargets(true));
afterAll(() => {
  delete process.env.TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS;
  resetEnvCache();
});
beforeEach(async () => {
  await truncateAll();
  fast.store = new MemoryRateLimitStore();
});

describe("low-balance alert at settle", () => {
  it("fires once per crossing, re-arms after a top-up, and fires again on the next crossing", async () => {
    await setOption("QuotaRemindThreshold", "5000");
    const u = await makeUser({ quota: 10_000n });
    const k = await makeKey(u.id);
    await charge(u.id, k.id, 4_000n); // 6000 left: above
    expect(await rows(u.id)).toHaveLength(0);
    await charge(u.id, k.id, 2_000n); // 4000: crossed
    const first = await rows(u.id);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ channel: "email", status: "pending" });
    expect(first[0].payload).toMatchObject({ balance: "4000", threshold: "5000", charged: "2000" });
    await charge(u.id, k.id, 1_000n); // further below: nothing new
    await charge(u.id, k.id, 5_000n); // even negative
    expect(await rows(u.id)).toHaveLength(1);

    await adjustUserQuota({ id: null, username: "t" }, { userId: u.id, mode: "add", amount: 3_000n, reason: "test" }); // 1000: still below
    await charge(u.id, k.id, 1n);
    expect(await rows(u.id)).toHaveLength(1);
    await adjustUserQuota({ id: null, username: "t" }, { userId: u.id, mode: "add", amount: 10_000n, reason: "test" }); // 10999: re-armed
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).lowBalanceNotified).toBe(false);
    await charge(u.id, k.id, 1_000n); // 9999: above
    expect(await rows(u.id)).toHaveLength(1);
    await charge(u.id, k.id, 7_000n); // 2999: second crossing
    expect(await rows(u.id)).toHaveLength(2);
  });

  it("uses the user's own threshold and channel, and a zero charge never fires", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const hook = await receiver();
    try {
      await saveNotifySettings(u.id, { notifyType: "webhook", webhookUrl: hook.url, threshold: "0.1" }); // $0.1 = 50000 quota
      await charge(u.id, k.id, 0n); // below? no: 100000 and nothing charged
      await charge(u.id, k.id, 60_000n);
      const r = await rows(u.id);
      expect(r).toHaveLength(1);
      expect(r[0]).toMatchObject({ channel: "webhook" });
      expect(r[0].payload).toMatchObject({ threshold: "50000" });
    } finally {
      await hook.close();
    }
  });

  it("two settles of the same user at once produce one notification", async () => {
    await setOption("QuotaRemindThreshold", "5000");
    for (let round = 0; round < 5; round++) {
      const u = await makeUser({ quota: 10_000n });
      const k = await makeKey(u.id);
      await Promise.all(Array.from({ length: 8 }, () => charge(u.id, k.id, 1_000n)));
      expect(await rows(u.id)).toHaveLength(1);
    }
  });
});

describe("spend-rate alert", () => {
  it("fires when the last hour's spend passes the limit, at most once an hour", async () => {
    const u = await makeUser({ quota: 10_000_000n });
    const k = await makeKey(u.id);
    await db.$executeRaw`UPDATE users SET setting = setting || '{"spend_alert_quota": 5000}'::jsonb WHERE id = ${u.id}`;
    await charge(u.id, k.id, 3_000n);
    expect(await rows(u.id, "spend_rate")).toHaveLength(0);
    await charge(u.id, k.id, 3_000n);
    const r = await rows(u.id, "spend_rate");
    expect(r).toHaveLength(1);
    expect(r[0].payload).toMatchObject({ spent: "6000", limit: "5000" });
    await charge(u.id, k.id, 3_000n);
    await charge(u.id, k.id, 30_000n);
    expect(await rows(u.id, "spend_rate")).toHaveLength(1);
    // an hour later (the alert's clock), spending still over the limit alerts again
    await db.$executeRaw`UPDATE users SET spend_alert_at = now() - interval '61 minutes' WHERE id = ${u.id}`;
    await charge(u.id, k.id, 1_000n);
    expect(await rows(u.id, "spend_rate")).toHaveLength(2);
  });
});

describe("spend-rate alert delivered", () => {
  it("goes through the outbox to the user's webhook, texts filled, with the top-up and keys links", async () => {
    await setOption("ServerAddress", "https://relay.example");
    const hook = await receiver();
    try {
      const u = await makeUser({ quota: 10_000_000n });
      const k = await makeKey(u.id);
      await saveNotifySettings(u.id, {
        notifyType: "webhook",
        webhookUrl: `${hook.url}/spend`,
        webhookSecret: "spend-secret",
        spendAlert: "0.01", // 5000 quota an hour
        language: "en",
      });
      await charge(u.id, k.id, 6_000n);
      const [queued] = await rows(u.id, "spend_rate");
      expect(queued).toMatchObject({ channel: "webhook", status: "pending" });
      expect(await new OutboxWorker(fast).runOnce()).toBe(1);
      expect(hook.got).toHaveLength(1);
      const req = hook.got[0];
      expect(req.url).toBe("/spend");
      expect(req.headers["x-webhook-signature"]).toBe(
        createHmac("sha256", "spend-secret").update(req.body).digest("hex"),
      );
      const body = JSON.parse(req.body);
      expect(body).toMatchObject({
        id: `ntf_${queued.id}`,
        type: "spend_rate",
        title: "Unusual spending on your account",
      });
      expect(body.content).toBe(
        "Unusual spending on your account: you spent $0.012 in the last hour, more than your limit of $0.01. " +
          "Your balance is $19.988; top up: https://relay.example/wallet. " +
          "If a script is running away, disable its key: https://relay.example/keys",
      );
      expect(body.values.slice(1)).toEqual([
        "$0.012",
        "$0.01",
        "$19.988",
        "https://relay.example/wallet",
        "https://relay.example/keys",
      ]);
      const [row] = await rows(u.id, "spend_rate");
      expect(row).toMatchObject({ status: "sent", attempts: 1 });
      expect(row.attemptLog).toMatchObject([{ attempt: 1, ok: true, statusCode: 200 }]);
    } finally {
      await hook.close();
    }
  });
});

describe("low-balance alert re-armed by every credit and by a threshold change", () => {
  const armed = async (id: number) => !(await db.user.findUniqueOrThrow({ where: { id } })).lowBalanceNotified;
  async function crossed() {
    await setOption("QuotaRemindThreshold", "500000");
    const u = await makeUser({ quota: 600_000n });
    const k = await makeKey(u.id);
    await charge(u.id, k.id, 200_000n); // 400000: below, told, disarmed
    expect(await rows(u.id)).toHaveLength(1);
    expect(await armed(u.id)).toBe(false);
    return { u, k };
  }

  it("a redemption that brings the balance back re-arms it; the next crossing alerts again", async () => {
    const { u, k } = await crossed();
    const [small, big] = await createRedemptions({ id: 1, username: "root" }, { name: "r", quota: 50_000, count: 2 });
    await redeemCode(u.id, small); // 450000: still below
    expect(await armed(u.id)).toBe(false);
    await redeemCode(u.id, big); // 500000: back at the threshold
    expect(await armed(u.id)).toBe(true);
    await charge(u.id, k.id, 1n); // 499999: crossed again
    expect(await rows(u.id)).toHaveLength(2);
  });

  it("an aff transfer that brings the balance back re-arms it", async () => {
    const { u, k } = await crossed();
    await db.$executeRaw`UPDATE users SET aff_quota = 500000 WHERE id = ${u.id}`;
    await transferAffQuota(u.id, 500_000); // 900000
    expect(await armed(u.id)).toBe(true);
    await charge(u.id, k.id, 500_000n); // 400000
    expect(await rows(u.id)).toHaveLength(2);
  });

  it("a settings save that lowers the threshold under the balance re-arms it; one that keeps it above does not", async () => {
    const { u, k } = await crossed(); // balance 400000, threshold 500000 (the default)
    await saveNotifySettings(u.id, { threshold: "0.9" }); // 450000: still above the balance
    expect(await armed(u.id)).toBe(false);
    await saveNotifySettings(u.id, { language: "zh" }); // a save that does not touch the threshold
    expect(await armed(u.id)).toBe(false);
    await saveNotifySettings(u.id, { threshold: "0.5" }); // 250000: the balance is above it
    expect(await armed(u.id)).toBe(true);
    await charge(u.id, k.id, 100_000n); // 300000: above 250000
    expect(await rows(u.id)).toHaveLength(1);
    await charge(u.id, k.id, 100_000n); // 200000: crossed the new threshold
    const r = await rows(u.id);
    expect(r).toHaveLength(2);
    expect(r[1].payload).toMatchObject({ balance: "200000", threshold: "250000" });
  });
});

describe("outbox worker", () => {
  async function webhookUser(url: string, secret?: string) {
    const u = await makeUser({ quota: 1_000_000n });
    await saveNotifySettings(u.id, { notifyType: "webhook", webhookUrl: url, webhookSecret: secret, language: "en" });
    return u;
  }
  const enqueue = (userId: number, n = 1, kind = "quota_exceed") =>
    db.notification.createMany({
      data: Array.from({ length: n }, () => ({
        userId,
        kind,
        channel: "webhook",
        payload: { balance: "400000", threshold: "500000" },
      })),
    });

  it("posts the filled body, signed over the raw body, with the notification id", async () => {
    const hook = await receiver();
    try {
      const u = await webhookUser(`${hook.url}/hook`, "s3cret");
      await enqueue(u.id);
      expect(await new OutboxWorker(fast).runOnce()).toBe(1);
      expect(hook.got).toHaveLength(1);
      const req = hook.got[0];
      const body = JSON.parse(req.body);
      expect(req.headers["x-webhook-signature"]).toBe(createHmac("sha256", "s3cret").update(req.body).digest("hex"));
      expect(body).toMatchObject({ type: "quota_exceed", title: "Your balance is running low" });
      expect(body.id).toBe(req.headers["x-tollgate-notification-id"]);
      expect(String(body.timestamp)).toBe(req.headers["x-webhook-timestamp"]);
      expect(body.content).not.toContain("{{");
      expect(body.content).toContain("$0.80"); // 400000 quota at 500000 per USD
      expect(body.values[1]).toBe("$0.80");
      const [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: "" });
      expect(row.attemptLog).toMatchObject([{ attempt: 1, ok: true, statusCode: 200 }]);
    } finally {
      await hook.close();
    }
  });

  it("retries with backoff: fails twice, then delivers on the third attempt", async () => {
    const hook = await receiver((n) => (n <= 2 ? 503 : 200));
    try {
      const u = await webhookUser(hook.url);
      await enqueue(u.id);
      const w = new OutboxWorker({ ...fast, backoffBaseMs: 1_000, backoffMaxMs: 60_000 });
      await w.runOnce();
      let [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "pending", attempts: 1 });
      expect(row.lastError).toContain("HTTP 503");
      const wait = row.nextAttemptAt.getTime() - Date.now();
      expect(wait).toBeGreaterThan(300); // 0.5–1 s after the first failure
      expect(wait).toBeLessThanOrEqual(1_000);
      expect(await w.runOnce()).toBe(0); // not due yet
      for (let i = 0; i < 2; i++) {
        await db.$executeRaw`UPDATE notifications SET next_attempt_at = now() WHERE user_id = ${u.id}`;
        await w.runOnce();
      }
      [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: "" });
      expect(row.attemptLog.map((a) => [a.attempt, a.statusCode, a.ok])).toEqual([
        [1, 503, false],
        [2, 503, false],
        [3, 200, true],
      ]);
      expect(hook.got).toHaveLength(3);
      expect(new Set(hook.got.map((g) => JSON.parse(g.body).id)).size).toBe(1);
    } finally {
      await hook.close();
    }
  });

  it("gives up after maxAttempts and keeps the error", async () => {
    const hook = await receiver(() => 500);
    try {
      const u = await webhookUser(hook.url);
      await enqueue(u.id);
      const w = new OutboxWorker({ ...fast, maxAttempts: 3 });
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 10));
        await w.runOnce();
      }
      const [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "failed", attempts: 3 });
      expect(row.lastError).toBe("HTTP 500: receiver says no");
      expect(row.attemptLog).toHaveLength(3);
      expect(hook.got).toHaveLength(3);
    } finally {
      await hook.close();
    }
  });

  it("backoff doubles up to the cap, with jitter between half and all of it", () => {
    const cfg = { backoffBaseMs: 1_000, backoffMaxMs: 8_000 };
    for (let i = 0; i < 50; i++) {
      const d1 = backoffMs(1, cfg);
      expect(d1).toBeGreaterThanOrEqual(500);
      expect(d1).toBeLessThanOrEqual(1_000);
      const d3 = backoffMs(3, cfg);
      expect(d3).toBeGreaterThanOrEqual(2_000);
      expect(d3).toBeLessThanOrEqual(4_000);
      expect(backoffMs(20, cfg)).toBeLessThanOrEqual(8_000);
    }
  });

  it("two workers claiming at once send every row exactly once", async () => {
    const hook = await receiver();
    try {
      const users = await Promise.all(Array.from({ length: 10 }, () => webhookUser(hook.url)));
      for (const u of users) await enqueue(u.id, 6);
      const cfg = { ...fast, batch: 4, limit: { count: 100, windowMs: 60_000 } };
      const a = new OutboxWorker(cfg);
      const b = new OutboxWorker(cfg);
      const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
      expect(na + nb).toBe(60);
      expect(na).toBeGreaterThan(0);
      expect(nb).toBeGreaterThan(0);
      const ids = hook.got.map((g) => JSON.parse(g.body).id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      expect(await db.notification.count({ where: { status: "sent", attempts: 1 } })).toBe(60);
    } finally {
      await hook.close();
    }
  });

  it("two worker processes draining one outbox send every row exactly once", { timeout: 120_000 }, async () => {
    const hook = await receiver();
    try {
      const users = await Promise.all(Array.from({ length: 6 }, () => webhookUser(hook.url)));
      for (const u of users) await enqueue(u.id, 10);
      const workers = [startWorkerProcess(), startWorkerProcess()];
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const [a, b] = await Promise.all(workers.map((w) => w.done));
      expect(a + b).toBe(60);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      const ids = hook.got.map((g) => JSON.parse(g.body).id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      expect(await db.notification.count({ where: { status: "sent", attempts: 1 } })).toBe(60);
    } finally {
      await hook.close();
    }
  });

  it("a row claimed by a process that died is delivered once its lease runs out", async () => {
    const hook = await receiver();
    try {
      const u = await webhookUser(hook.url);
      await enqueue(u.id);
      const dead = new OutboxWorker({ ...fast, leaseMs: 300 });
      expect(await dead.claim()).toHaveLength(1); // claimed, then the process "dies" before sending
      const next = new OutboxWorker(fast);
      expect(await next.runOnce()).toBe(0); // still leased
      await new Promise((r) => setTimeout(r, 400));
      expect(await next.runOnce()).toBe(1);
      const [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "sent", attempts: 2 });
      expect(row.attemptLog.map((a) => [a.attempt, a.ok])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(row.attemptLog[0].error).toMatch(/Lease expired/);
      expect(hook.got).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it(
    "a process killed between claim and send delivers after restart, with the same notification id",
    { timeout: 120_000 },
    async () => {
      // the receiver holds the first request open: the process has claimed the row and is in the
      // middle of sending it when it is killed; the second request is answered
      const hook = await receiver((n) => (n === 1 ? "hold" : 200));
      try {
        const u = await webhookUser(hook.url, "s3cret");
        await enqueue(u.id);
        const first = startWorkerProcess({ OUTBOX_LEASE_MS: "1500" });
        await first.ready;
        first.go();
        await expect.poll(() => hook.got.length, { timeout: 30_000 }).toBe(1);
        let [row] = await rows(u.id);
        expect(row).toMatchObject({ status: "sending", attempts: 1 });
        first.child.kill("SIGKILL");
        await expect(first.done).rejects.toThrow("worker exit SIGKILL");

        const second = startWorkerProcess();
        await second.ready;
        // the killed process's lease runs out; until then the row is not claimed again
        const wait = row.lockedUntil!.getTime() - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait + 200));
        second.go();
        expect(await second.done).toBe(1);

        [row] = await rows(u.id);
        expect(row).toMatchObject({ status: "sent", attempts: 2, lastError: "" });
        expect(row.attemptLog.map((a) => [a.attempt, a.ok, a.statusCode])).toEqual([
          [1, false, null],
          [2, true, 200],
        ]);
        expect(row.attemptLog[0].error).toMatch(/^Lease expired/);
        // two requests reached the receiver, one answered (delivered); both carry the same id
        expect(hook.got).toHaveLength(2);
        const ids = hook.got.map((g) => JSON.parse(g.body).id);
        expect(ids).toEqual([`ntf_${row.id}`, `ntf_${row.id}`]);
        expect(hook.got.map((g) => g.headers["x-tollgate-notification-id"])).toEqual(ids);
        const sig = createHmac("sha256", "s3cret").update(hook.got[1].body).digest("hex");
        expect(hook.got[1].headers["x-webhook-signature"]).toBe(sig);
      } finally {
        await hook.close();
      }
    },
  );

  it("at most 2 alerts per 10 minutes per user and type, counted across workers (PostgreSQL)", async () => {
    const hook = await receiver();
    try {
      const u = await webhookUser(hook.url);
      const other = await webhookUser(hook.url);
      await enqueue(u.id, 5);
      await enqueue(other.id, 1);
      // two processes = two workers with their own store objects over the same table
      const a = new OutboxWorker({ ...fast, batch: 1, store: new PostgresRateLimitStore() });
      const b = new OutboxWorker({ ...fast, batch: 1, store: new PostgresRateLimitStore() });
      await Promise.all([a.runOnce(), b.runOnce()]);
      const statuses = (await rows(u.id)).map((r) => r.status).sort();
      expect(statuses).toEqual(["sent", "sent", "suppressed", "suppressed", "suppressed"]);
      expect((await rows(u.id)).find((r) => r.status === "suppressed")!.lastError).toMatch(/Rate limit/);
      expect((await rows(other.id))[0].status).toBe("sent");
      expect(hook.got).toHaveLength(3);
    } finally {
      await hook.close();
    }
  });

  it("the same limit through Redis, with two connections", async () => {
    const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const r1 = new Redis(url, { maxRetriesPerRequest: 1 });
    const r2 = new Redis(url, { maxRetriesPerRequest: 1 });
    const prefix = `tollgate:test:${Date.now()}:`;
    const hook = await receiver();
    try {
      const u = await webhookUser(hook.url);
      await enqueue(u.id, 4);
      const a = new OutboxWorker({ ...fast, batch: 1, store: new RedisRateLimitStore(r1, prefix) });
      const b = new OutboxWorker({ ...fast, batch: 1, store: new RedisRateLimitStore(r2, prefix) });
      await Promise.all([a.runOnce(), b.runOnce()]);
      expect((await rows(u.id)).filter((r) => r.status === "sent")).toHaveLength(2);
      expect(hook.got).toHaveLength(2);
    } finally {
      await hook.close();
      r1.disconnect();
      r2.disconnect();
    }
  });

  it("refuses private targets unless allowed, and metadata addresses always, without retrying", async () => {
    const hook = await receiver();
    setPrivateTargets(false);
    try {
      const u = await webhookUser("https://example.com/hook"); // saved while allowed; stored as is
      await db.$executeRaw`UPDATE users SET setting = setting || ${JSON.stringify({ webhook_url: hook.url })}::jsonb WHERE id = ${u.id}`;
      await enqueue(u.id);
      await new OutboxWorker(fast).runOnce();
      const [row] = await rows(u.id);
      expect(row.status).toBe("failed");
      expect(row.lastError).toBe(
        "Refused: 127.0.0.1 is a loopback or private address (NotifyAllowPrivateTargets is off)",
      );
      expect(hook.got).toHaveLength(0);
      for (const target of ["http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f.1/"]) {
        const r = await saveNotifySettings(u.id, { webhookUrl: target }).catch((e) => e);
        expect(r).toMatchObject({ code: "target_not_allowed" });
      }
      setPrivateTargets(true);
      for (const target of ["http://169.254.169.254/latest", "http://[fd00:ec2::254]/", "http://[::ffff:a9fe:a9fe]/"]) {
        const r = await saveNotifySettings(u.id, { webhookUrl: target }).catch((e) => e);
        expect(r).toMatchObject({ code: "target_not_allowed" });
      }
    } finally {
      setPrivateTargets(true);
      await hook.close();
    }
  });

  it("a host name that resolves to loopback is refused by default; the admin option alone lets it through", async () => {
    const hook = await receiver();
    try {
      const u = await webhookUser(`http://localhost:${hook.port}/hook`); // a name: checked when sent
      setPrivateTargets(false);
      const w = new OutboxWorker(fast);
      const refused = await sendNow(w, u.id, "test", "webhook", { balance: "1" });
      expect(refused.status).toBe("failed");
      expect(refused.error).toMatch(
        /^Refused: localhost resolves to (127\.0\.0\.1|::1), a loopback or private address \(NotifyAllowPrivateTargets is off\)$/,
      );
      expect(hook.got).toHaveLength(0);
      // no environment variable: the admin's option turns private targets on
      expect(process.env.TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS).toBe("false");
      await setOption("NotifyAllowPrivateTargets", "true");
      const sent = await sendNow(w, u.id, "test", "webhook", { balance: "1" });
      expect(sent).toMatchObject({ status: "sent", statusCode: 200 });
      expect(hook.got).toHaveLength(1);
      // and off again
      await setOption("NotifyAllowPrivateTargets", "false");
      expect((await sendNow(w, u.id, "test", "webhook", { balance: "1" })).status).toBe("failed");
      expect(hook.got).toHaveLength(1);
    } finally {
      setPrivateTargets(true);
      await hook.close();
    }
  });

  it("a redirect (here to the metadata address) is not followed and fails at once, with the reason", async () => {
    const target = await receiver();
    const hook = await receiver((_n, _req, res) => {
      res.setHeader("location", "http://169.254.169.254/latest/meta-data/");
      return 302;
    });
    const hop = await receiver((_n, _req, res) => {
      res.setHeader("location", `${target.url}/elsewhere`);
      return 307;
    });
    try {
      const u = await webhookUser(hook.url);
      await enqueue(u.id);
      await new OutboxWorker(fast).runOnce();
      const [row] = await rows(u.id);
      expect(row).toMatchObject({ status: "failed", attempts: 1 });
      expect(row.lastError).toBe(
        "HTTP 302: redirect to http://169.254.169.254/latest/meta-data/ not followed: set the final address",
      );
      expect(row.attemptLog).toMatchObject([{ attempt: 1, ok: false, statusCode: 302 }]);
      expect(hook.got).toHaveLength(1);
      // a redirect to an allowed address is not followed either
      await saveNotifySettings(u.id, { webhookUrl: hop.url });
      const r = await sendNow(new OutboxWorker(fast), u.id, "quota_exceed", "webhook", { balance: "1" });
      expect(r).toMatchObject({ status: "failed", statusCode: 307 });
      expect(hop.got).toHaveLength(1);
      expect(target.got).toHaveLength(0);
    } finally {
      await Promise.all([hook.close(), hop.close(), target.close()]);
    }
  });

  it("Bark gets a GET with the title and content URL-encoded; Gotify a POST to /message with a clamped priority", async () => {
    const hook = await receiver();
    try {
      const u = await makeUser({ quota: 123_000n });
      await saveNotifySettings(u.id, { barkUrl: `${hook.url}/KEY/{{title}}/{{content}}`, language: "zh" });
      await db.$executeRaw`UPDATE users SET setting = setting || '{"gotify_url": "${hook.url}/", "gotify_token": "t o/k", "gotify_priority": 42}'::jsonb WHERE id = ${u.id}`.catch(
        () => undefined,
      );
      await db.$executeRaw`UPDATE users SET setting = setting || ${JSON.stringify({ gotify_url: `${hook.url}/`, gotify_token: "t o/k", gotify_priority: 42 })}::jsonb WHERE id = ${u.id}`;
      const w = new OutboxWorker(fast);
      const bark = await sendNow(w, u.id, "test", "bark", { balance: "123000" });
      expect(bark.status).toBe("sent");
      const gotify = await sendNow(w, u.id, "test", "gotify", { balance: "123000" });
      expect(gotify.status).toBe("sent");
      const [b, g] = hook.got;
      expect(b.method).toBe("GET");
      const [, key, title, content] = b.url.split("/");
      expect(key).toBe("KEY");
      expect(decodeURIComponent(title)).toBe("测试通知");
      expect(decodeURIComponent(content)).toContain("当前余额 $0.246");
      expect(g.method).toBe("POST");
      expect(g.url).toBe("/message?token=t%20o%2Fk");
      expect(JSON.parse(g.body)).toMatchObject({ title: "测试通知", priority: 5 });
      // the stable notification id: a header on Bark, in Gotify's extras (and header)
      expect(b.headers["x-tollgate-notification-id"]).toBe(`ntf_${bark.id}`);
      expect(JSON.parse(g.body).extras).toEqual({ "tollgate::notification": { id: `ntf_${gotify.id}`, type: "test" } });
      expect(g.headers["x-tollgate-notification-id"]).toBe(`ntf_${gotify.id}`);
      expect(bark.id).not.toBe(gotify.id);
    } finally {
      await hook.close();
    }
  });
});

describe("settings: validation and merge", () => {
  it("refuses bad input with new-api's validation messages and saves nothing", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ notifyType: "sms" }, "notifyType", "Invalid warning type"],
      [{ threshold: "0" }, "threshold", "Warning threshold must be greater than 0"],
      [{ threshold: "-1" }, "threshold", "Warning threshold must be greater than 0"],
      [{ notificationEmail: "alice@" }, "notificationEmail", "Invalid email address"],
      [{ notificationEmail: "alice@localhost" }, "notificationEmail", "Invalid email address"],
      [{ notifyType: "webhook", webhookUrl: "" }, "webhookUrl", "Webhook URL cannot be empty"],
      [{ webhookUrl: "not a url" }, "webhookUrl", "Invalid Webhook URL"],
      [{ webhookUrl: "ftp://example.com/x" }, "webhookUrl", "URL must start with http:// or https://"],
      [{ barkUrl: "https://api.day.app/key" }, "barkUrl", "The Bark URL must contain {{title}} or {{content}}"],
      [{ barkUrl: "javascript:alert(1)//{{title}}" }, "barkUrl", "URL must start with http:// or https://"],
      [{ gotifyPriority: 11 }, "gotifyPriority", "Priority must be a whole number from 0 to 10"],
      [{ gotifyPriority: -1 }, "gotifyPriority", "Priority must be a whole number from 0 to 10"],
    ];
    for (const [input, field, message] of cases) {
      const r = ZNotifySettingsForm.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      const issue = r.error!.issues.find((i) => i.path[0] === field);
      expect(issue?.message, JSON.stringify(input)).toBe(message);
    }
    const big = ZNotifySettingsForm.safeParse({ webhookSecret: "x".repeat(100_000) });
    expect(big.success).toBe(false);
    expect(big.error!.issues).toMatchObject([
      { path: ["webhookSecret"], message: "The secret is too long: at most 512 characters" },
    ]);
    expect(issueMessage("zh", big.error!.issues[0])).toBe("密钥过长：最多 512 个字符");
    expect(issueMessage("en", big.error!.issues[0])).toBe("The secret is too long: at most 512 characters");
    const token = ZNotifySettingsForm.safeParse({ gotifyToken: "x".repeat(513) });
    expect(issueMessage("zh", token.error!.issues[0])).toBe("令牌过长：最多 512 个字符");
    expect(ZNotifySettingsForm.safeParse({ webhookSecret: "x".repeat(512) }).success).toBe(true);
  });

  it("a 100 kB secret or an out-of-range priority through the save: field errors, nothing saved", async () => {
    const u = await makeUser();
    await saveNotifySettings(u.id, {
      notifyType: "webhook",
      webhookUrl: "https://hooks.example.com/a",
      webhookSecret: "kept",
    });
    const before = (await db.user.findUniqueOrThrow({ where: { id: u.id } })).setting;
    await expect(
      saveNotifySettings(u.id, { webhookUrl: "https://hooks.example.com/b", webhookSecret: "s".repeat(100_000) }),
    ).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { webhookSecret: ["The secret is too long: at most 512 characters"] },
    });
    await expect(
      saveNotifySettings(u.id, {
        gotifyUrl: "https://gotify.example.com",
        gotifyToken: "t".repeat(100_000),
        gotifyPriority: 42,
      }),
    ).rejects.toMatchObject({
      fieldErrors: {
        gotifyToken: ["The token is too long: at most 512 characters"],
        gotifyPriority: ["Priority must be a whole number from 0 to 10"],
      },
    });
    await expect(saveNotifySettings(u.id, { gotifyPriority: "-3" })).rejects.toMatchObject({
      fieldErrors: { gotifyPriority: ["Priority must be a whole number from 0 to 10"] },
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).setting).toEqual(before);
  });

  it("the spend limit typed in the display unit is stored as quota (USD, then CNY)", async () => {
    const u = await makeUser();
    const stored = async () =>
      ((await db.user.findUniqueOrThrow({ where: { id: u.id } })).setting as Record<string, unknown>).spend_alert_quota;
    await saveNotifySettings(u.id, { spendAlert: "2" }); // $2 at 500000 quota per USD
    expect(await stored()).toBe(1_000_000);
    await saveNotifySettings(u.id, { spendAlert: "$0.25" });
    expect(await stored()).toBe(125_000);
    expect((await getNotifySettings(u.id)).spendAlert).toBe("0.25");
    await setOption("QuotaDisplayType", "CNY");
    await setOption("USDExchangeRate", "7.3");
    await saveNotifySettings(u.id, { spendAlert: "7.3" }); // ¥7.3 = $1
    expect(await stored()).toBe(500_000);
    await saveNotifySettings(u.id, { spendAlert: "¥14.6" });
    expect(await stored()).toBe(1_000_000);
    expect((await getNotifySettings(u.id)).spendAlert).toBe("14.6");
    await saveNotifySettings(u.id, { spendAlert: "" }); // off
    expect(await stored()).toBeUndefined();
  });

  it("a save never wipes a field it did not send", async () => {
    const u = await makeUser();
    await db.$executeRaw`UPDATE users SET setting = '{"sidebar_modules": "{\\"x\\":1}", "billing_preference": "wallet_first", "record_ip_log": true}'::jsonb WHERE id = ${u.id}`;
    await saveNotifySettings(u.id, {
      notifyType: "webhook",
      webhookUrl: "https://hooks.example.com/a",
      webhookSecret: "first-secret",
      threshold: "2",
      language: "zh",
    });
    // a later save that shows only the type and URL keeps the secret, threshold, language and the rest
    await saveNotifySettings(u.id, {
      notifyType: "webhook",
      webhookUrl: "https://hooks.example.com/b",
      webhookSecret: "",
    });
    await saveNotifySettings(u.id, { acceptUnpricedModels: true });
    const row = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.setting).toEqual({
      sidebar_modules: '{"x":1}',
      billing_preference: "wallet_first",
      record_ip_log: true,
      accept_unset_model_ratio_model: true,
      notify_type: "webhook",
      webhook_url: "https://hooks.example.com/b",
      webhook_secret: "first-secret",
      quota_warning_threshold: 1_000_000,
      language: "zh",
    });
    const dto = await getNotifySettings(u.id);
    expect(dto.webhookSecretHint).toBe("••••cret");
    expect(JSON.stringify(dto)).not.toContain("first-secret");
    // a bad save changes nothing
    const before = row.setting;
    await expect(saveNotifySettings(u.id, { notifyType: "gotify" })).rejects.toMatchObject({
      fieldErrors: { gotifyUrl: ["Gotify URL cannot be empty"] },
    });
    await expect(saveNotifySettings(u.id, { threshold: "0", webhookUrl: "https://x.example" })).rejects.toThrow();
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).setting).toEqual(before);
  });
});
