// The relay endpoint functions called with Web Requests, against a real database and a mock
// upstream on 127.0.0.1. Every charge is checked against new-api's formula with the
// ratios set below (test-model: ratio 2.5, completion ratio 3, cache ratio 0.5; group ratio 1):
//   quota = round_half_up(((prompt − cached) + cached × 0.5 + completion × 3) × 2.5)
process.env.RELAY_MAX_BODY_BYTES = "4096";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { invalidate } from "@/lib/cache/bus";
import { createChannel } from "@/lib/channels/service";
import { db } from "@/lib/db";
import { createKeys } from "@/lib/keys/service";
import { getOptions, setOption } from "@/lib/options/service";
import { resolvePricing } from "@/lib/quota/pricing";
import { auditLedger } from "@/lib/quota/audit";
import { balanceChanged } from "@/lib/quota/events";
import { MockUpstream, SECRET_ERROR_MESSAGE, mockEmbedding } from "@/e2e/support/mock-upstream";
import { makeKey, makeUser } from "@/tests/factories";
import { billingSubscription, billingUsage } from "./billing";
import { chatCompletions, completions, embeddings } from "./endpoints";
import { listModels } from "./models";
import { unknownRoute } from "./mount";
import { tokenUsage } from "./usage-token";
import { renewLeases } from "@/lib/quota/leases";
import { settlesIdle } from "@/lib/quota/settle-queue";
import { settle } from "@/lib/quota/settle";
import { TRUST_FRESH_MS } from "@/lib/quota/reserve";
import { sweepExpiredReservations } from "@/lib/quota/sweeper";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const QPU = 500_000n;
/**
 * The charge of test-model, in integers: with x = 2 × (prompt − cached + cached × 0.5 + completion × 3),
 * quota = round_half_up(x × 2.5 / 2) = round_half_up(5x / 4) = floor((10x + 4) / 8).
 */
const testModelQuota = (prompt: number, completion: number, cached = 0) => {
  const x = BigInt((prompt - cached) * 2 + cached + completion * 6);
  return (10n * x + 4n) / 8n;
};

let A: MockUpstream;
let B: MockUpstream;
let channelA: number;
let channelB: number;
let userId: number;
let KEY: string;
let keyId: number;

async function call(
  fn: (req: Request, ctx: { clientIp: string }) => Promise<Response>,
  path: string,
  body: unknown,
  o: { key?: string | null; ip?: string; raw?: string; method?: string; headers?: Record<string, string> } = {},
) {
  const headers = new Headers({ "content-type": "application/json", ...o.headers });
  if (o.key !== null) headers.set("authorization", `Bearer ${o.key ?? KEY}`);
  const method = o.method ?? "POST";
  const req = new Request(`http://tollgate.test${path}`, {
    method,
    headers,
    body: method === "GET" ? undefined : (o.raw ?? JSON.stringify(body)),
  });
  return fn(req, { clientIp: o.ip ?? "127.0.0.1" });
}
const chat = (body: unknown, o?: Parameters<typeof call>[3]) => call(chatCompletions, "/v1/chat/completions", body, o);
const hi = (extra: Record<string, unknown> = {}) => ({
  model: "test-model",
  messages: [{ role: "user", content: "Say hello" }],
  ...extra,
});

async function wallet() {
  const u = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const t = await db.token.findUniqueOrThrow({ where: { id: keyId } });
  return {
    quota: u.quota,
    used: u.usedQuota,
    requests: u.requestCount,
    keyUsed: t.usedQuota,
    keyRemain: t.remainQuota,
  };
}

async function logOf(res: Response) {
  await settlesIdle();
  const requestId = res.headers.get("x-request-id")!;
  return db.log.findFirstOrThrow({ where: { requestId, type: 2 } });
}

/** the error log rows of a request, once `n` have landed (the relay writes them beside the request) */
async function errorLogsOf(requestId: string, n: number) {
  for (let i = 0; i < 100; i++) {
    const rows = await db.log.findMany({ where: { requestId, type: 5 }, orderBy: { id: "asc" } });
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${n} error logs for ${requestId}`);
}

async function readAll(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

auditLedgerAfterEach();

beforeAll(async () => {
  A = await MockUpstream.start();
  B = await MockUpstream.start();
  await setOption(
    "ModelRatio",
    JSON.stringify({ "test-model": 2.5, "test-embed": 0.5, "test-mapped": 2.5, "test-unserved": 1 }),
  );
  await setOption("CompletionRatio", JSON.stringify({ "test-model": 3, "test-mapped": 3 }));
  await setOption("CacheRatio", JSON.stringify({ "test-model": 0.5 }));
  await setOption("UserUsableGroups", JSON.stringify({ default: "Default", vip: "VIP", old: "Retired" }));
  channelA = (
    await createChannel({
      name: "A",
      baseUrl: `${A.url}/v1`,
      key: "sk-channelA-secret",
      models: ["test-model", "test-embed", "unpriced-model"],
      priority: 10,
    })
  ).id;
  channelB = (
    await createChannel({
      name: "B",
      baseUrl: B.url,
      key: "sk-channelB-secret",
      models: ["test-model", "test-embed"],
      priority: 0,
    })
  ).id;
  await createChannel({
    name: "mapped",
    baseUrl: A.url,
    key: "sk-mapped",
    models: ["test-mapped"],
    modelMapping: '{"test-mapped":"upstream-model"}',
  });
  const user = await makeUser({ quota: 100n * QPU });
  userId = user.id;
  const key = await makeKey(userId);
  KEY = key.key;
  keyId = key.id;
});

afterAll(async () => {
  await settlesIdle();
  await A.close();
  await B.close();
});

beforeEach(async () => {
  A.reset();
  B.reset();
  await setOption("RetryTimes", "0");
  await setOption("PreConsumeMode", "trust");
});

describe("non-stream", () => {
  it("charges the formula of the upstream's usage, once, and records how it was priced", async () => {
    const before = await wallet();
    const res = await chat(hi());
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    const body = await res.json();
    expect(body.choices[0].message.content).toBe("Hello from the mock upstream.");
    expect(body.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 6 });

    const log = await logOf(res);
    expect(testModelQuota(17, 6)).toBe(88n); // (17 + 6×3) × 2.5 = 87.5 → 88
    expect(log).toMatchObject({
      type: 2,
      quota: 88n,
      promptTokens: 17,
      completionTokens: 6,
      channelId: channelA,
      tokenId: keyId,
      isStream: false,
      modelName: "test-model",
    });
    expect(log.other).toMatchObject({
      usage_source: "upstream",
      model_ratio: 2.5,
      completion_ratio: 3,
      group_ratio: 1,
      request_path: "/v1/chat/completions",
      admin_info: { use_channel: [channelA] },
    });
    const after = await wallet();
    expect(before.quota - after.quota).toBe(88n);
    expect(after.used - before.used).toBe(88n);
    expect(after.requests - before.requests).toBe(1n);
    expect(after.keyUsed - before.keyUsed).toBe(88n);
    const reservation = await db.reservation.findUniqueOrThrow({
      where: { owner_requestId: { owner: "relay", requestId } },
    });
    expect(reservation).toMatchObject({ status: 2, chargedQuota: 88n, owner: "relay" });

    // the upstream got the channel's key and the client's body
    expect(A.requests).toHaveLength(1);
    expect(A.requests[0]).toMatchObject({ path: "/v1/chat/completions", authorization: "Bearer sk-channelA-secret" });
    expect(A.requests[0].body).toEqual(hi());
  });

  it("bills cached prompt tokens at the cache ratio", async () => {
    A.set({ usage: { prompt_tokens: 17, completion_tokens: 6, cached_tokens: 10 } });
    const log = await logOf(await chat(hi()));
    // (7 + 10 × 0.5 + 6 × 3) × 2.5 = 75
    expect(log.quota).toBe(75n);
    expect(log.other).toMatchObject({ cache_tokens: 10 });
  });

  it("maps the model for the channel and logs both names", async () => {
    const res = await chat({ ...hi(), model: "test-mapped" });
    expect(res.status).toBe(200);
    expect(A.requests[0].body?.model).toBe("upstream-model");
    const log = await logOf(res);
    expect(log.modelName).toBe("test-mapped");
    expect(log.other).toMatchObject({ is_model_mapped: true, upstream_model_name: "upstream-model" });
    expect(log.quota).toBe(88n);
  });

  it("holds the estimate while the upstream works in always mode, then settles the difference", async () => {
    await setOption("PreConsumeMode", "always");
    A.set({ delayMs: 400 });
    const before = await wallet();
    const pending = chat(hi({ max_tokens: 100 }));
    await new Promise((r) => setTimeout(r, 200));
    // estimate: (max(9 prompt tokens, 500) + 100) × 2.5 = 1500
    expect(before.quota - (await wallet()).quota).toBe(1500n);
    const res = await pending;
    expect(res.status).toBe(200);
    await logOf(res);
    expect(before.quota - (await wallet()).quota).toBe(88n);
  });

  it("counts locally when the upstream sends no usage", async () => {
    A.set({ sendUsage: false });
    const log = await logOf(await chat(hi()));
    // prompt: "user" 1 + "Say hello" 2 + 3 per message + 3 priming = 9; completion: 6 tokens (cl100k)
    expect(log).toMatchObject({ promptTokens: 9, completionTokens: 6, quota: testModelQuota(9, 6) });
    expect(testModelQuota(9, 6)).toBe(68n);
    expect(log.other).toMatchObject({ usage_source: "local_count", admin_info: { local_count_tokens: true } });
  });
});

describe("reserve before the upstream", () => {
  it("a request the reserve refuses never reaches the upstream, even for a wallet this node saw rich", async () => {
    const u = await makeUser({ quota: 100n * QPU });
    const k = await makeKey(u.id);
    expect((await chat(hi(), { key: k.key })).status).toBe(200); // this node now knows the wallet
    await settlesIdle();
    // an admin on another node empties the wallet: every node is told (lib/users/admin.ts)
    const { quota } = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    await db.user.update({ where: { id: u.id }, data: { quota: 0n } });
    invalidate("user", u.id);
    try {
      A.set({ delayMs: 50 });
      const calls = A.requests.length;
      const res = await chat(hi(), { key: k.key });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe("insufficient_user_quota");
      await new Promise((r) => setTimeout(r, 100));
      expect(A.requests.length).toBe(calls);
      await settlesIdle();
      expect(await db.log.count({ where: { userId: u.id, type: 2 } })).toBe(1);
      expect(await db.reservation.count({ where: { userId: u.id } })).toBe(1);
    } finally {
      await db.user.update({ where: { id: u.id }, data: { quota } });
    }
  });

  it("in always mode every request reserves first, however rich the wallet", async () => {
    await setOption("PreConsumeMode", "always");
    const u = await makeUser({ quota: 100n * QPU });
    const k = await makeKey(u.id);
    expect((await chat(hi(), { key: k.key })).status).toBe(200);
    await settlesIdle();
    A.set({ delayMs: 300 });
    const pending = chat(hi(), { key: k.key });
    await new Promise((r) => setTimeout(r, 150));
    expect(await db.reservation.count({ where: { userId: u.id, status: 1 } })).toBe(1);
    expect((await pending).status).toBe(200);
  });
});

describe("trust mode: no reserve when it would hold nothing", () => {
  it("a wallet and key this node read recently above the threshold: no database write before the upstream; the settle records the reservation", async () => {
    const u = await makeUser({ quota: 100n * QPU });
    const k = await makeKey(u.id);
    A.set({ delayMs: 300 });
    // first request: the key is loaded now, so its balances are fresh — no reserve either
    const pending = chat(hi(), { key: k.key });
    await new Promise((r) => setTimeout(r, 150));
    expect(A.requests.length).toBeGreaterThan(0);
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(0);
    const res = await pending;
    expect(res.status).toBe(200);
    const log = await logOf(res);
    expect(log.quota).toBe(88n);
    const r = await db.reservation.findUniqueOrThrow({
      where: { owner_requestId: { owner: "relay", requestId: res.headers.get("x-request-id")! } },
    });
    expect(r).toMatchObject({ status: 2, trusted: true, heldQuota: 0n, chargedQuota: 88n, logId: log.id });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(100n * QPU - 88n);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("balances read longer ago than TRUST_FRESH_MS, or near the threshold: the reserve runs first", async () => {
    const poor = await makeUser({ quota: 10n * QPU }); // at the trust threshold: not above it
    const k = await makeKey(poor.id);
    A.set({ delayMs: 300 });
    const pending = chat(hi(), { key: k.key });
    await new Promise((r) => setTimeout(r, 150));
    expect(await db.reservation.count({ where: { userId: poor.id, status: 1 } })).toBe(1);
    expect((await pending).status).toBe(200);
    await settlesIdle();

    const rich = await makeUser({ quota: 100n * QPU });
    const k2 = await makeKey(rich.id);
    expect((await chat(hi(), { key: k2.key })).status).toBe(200);
    await settlesIdle();
    const realNow = Date.now;
    Date.now = () => realNow() + TRUST_FRESH_MS + 1_000;
    try {
      const later = chat(hi(), { key: k2.key });
      await new Promise((r) => setTimeout(r, 150));
      expect(await db.reservation.count({ where: { userId: rich.id, status: 1 } })).toBe(1);
      expect((await later).status).toBe(200);
    } finally {
      Date.now = realNow;
    }
    await settlesIdle();
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("a settle retried after it landed charges once", async () => {
    const u = await makeUser({ quota: 100n * QPU });
    const key = await makeKey(u.id);
    const input = {
      unreserved: {
        requestId: "retried-once",
        userId: u.id,
        tokenId: key.id,
        model: "test-model",
        group: "default",
        estimate: 0n,
        pricing: resolvePricing(await getOptions(), {
          model: "test-model",
          userGroup: "default",
          usingGroup: "default",
          acceptUnpriced: false,
        }),
      },
      quota: 50n,
      promptTokens: 10,
      completionTokens: 10,
    };
    const first = await settle("relay", input);
    const again = await settle("relay", input);
    expect(first.existing).toBe(false);
    expect(again).toMatchObject({ existing: true, logId: first.logId });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(100n * QPU - 50n);
  });
});

describe("a client that leaves before the upstream answers", () => {
  it.each([
    ["non-stream, first request of a user", false, false],
    ["stream, first request of a user", true, false],
    ["non-stream, wallet known", false, true],
    ["stream, wallet known", true, true],
  ])("%s: the upstream call is aborted and the hold refunded", async (_name, stream, warm) => {
    await setOption("PreConsumeMode", "always");
    const u = await makeUser({ quota: 100n * QPU });
    const k = await makeKey(u.id);
    if (warm) {
      expect((await chat(hi(), { key: k.key })).status).toBe(200);
      await settlesIdle();
    }
    const before = await db.user.findUniqueOrThrow({ where: { id: u.id } });
    A.set({ delayMs: 300 });
    const gone = new AbortController();
    const req = new Request("http://tollgate.test/v1/chat/completions", {
      method: "POST",
      signal: gone.signal,
      headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
      body: JSON.stringify(hi(stream ? { stream: true } : {})),
    });
    setTimeout(() => gone.abort(), 100);
    const res = await chatCompletions(req, { clientIp: "127.0.0.1" });
    expect(res.status).toBe(499);
    await settlesIdle();
    const r = await db.reservation.findUniqueOrThrow({
      where: { owner_requestId: { owner: "relay", requestId: res.headers.get("x-request-id")! } },
    });
    expect(r.status).toBe(3);
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).quota).toBe(before.quota);
  });
});

describe("stream", () => {
  it("pipes SSE and forwards the usage chunk when the client asked for it", async () => {
    const res = await chat(hi({ stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await readAll(res);
    expect(text).toContain('"choices":[]');
    expect(text).toContain('"usage":{"prompt_tokens":17');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const log = await logOf(res);
    expect(log).toMatchObject({ quota: 88n, isStream: true, promptTokens: 17, completionTokens: 6 });
    expect(log.other).toMatchObject({ usage_source: "upstream", stream_status: { status: "ok", end_reason: "done" } });
  });

  it("asks the upstream for usage but keeps the usage chunk from a client that did not ask", async () => {
    const res = await chat(hi({ stream: true }));
    const text = await readAll(res);
    expect(text).not.toContain('"choices":[]');
    expect(text).toContain("data: [DONE]");
    expect(A.requests[0].body?.stream_options).toEqual({ include_usage: true });
    const log = await logOf(res);
    expect(log).toMatchObject({ quota: 88n, promptTokens: 17, completionTokens: 6 });
    expect(log.other).toMatchObject({ usage_source: "upstream" });
  });

  it("counts locally with the tokenizer when the upstream streams no usage", async () => {
    A.set({ sendUsage: false });
    const res = await chat(hi({ stream: true, stream_options: { include_usage: true } }));
    await readAll(res);
    const log = await logOf(res);
    expect(log).toMatchObject({ promptTokens: 9, completionTokens: 6, quota: 68n });
    expect(log.other).toMatchObject({ usage_source: "local_count" });
    expect(log.content).toContain("counted locally");
  });

  it("settles a stream that ends without [DONE]", async () => {
    A.set({ sendDone: false });
    const res = await chat(hi({ stream: true }));
    expect(await readAll(res)).not.toContain("[DONE]");
    const log = await logOf(res);
    expect(log.quota).toBe(88n);
    expect(log.other).toMatchObject({ stream_status: { end_reason: "eof_without_done" } });
  });

  it("a client that disconnects mid-stream aborts the upstream and pays for what was served", async () => {
    A.set({ pieces: Array(40).fill(" hello"), chunkDelayMs: 40 });
    const before = await wallet();
    const res = await chat(hi({ stream: true, stream_options: { include_usage: true } }));
    const reader = res.body!.getReader();
    let received = "";
    while ((received.match(/ hello/g) ?? []).length < 3) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const log = await logOf(res);
    await expect.poll(() => A.disconnects).toBe(1);
    expect(A.lastDisconnectChunks).toBeLessThan(10);
    // " hello" is one token: what was served is 3 chunks, or 4 if one more was on its way
    expect(log.completionTokens).toBeGreaterThanOrEqual(3);
    expect(log.completionTokens).toBeLessThanOrEqual(4);
    expect(log.promptTokens).toBe(9);
    expect(log.quota).toBe(testModelQuota(9, log.completionTokens));
    expect(log.other).toMatchObject({
      usage_source: "local_count",
      stream_status: { end_reason: "client_disconnect" },
    });
    expect(before.quota - (await wallet()).quota).toBe(log.quota);
  });
});

describe("upstream failures", () => {
  it("retries another channel after a 500 and charges once", async () => {
    await setOption("RetryTimes", "1");
    A.set({ failNext: 1, failStatus: 500 });
    const before = await wallet();
    const res = await chat(hi());
    expect(res.status).toBe(200);
    const log = await logOf(res);
    expect(log).toMatchObject({ quota: 88n, channelId: channelB });
    expect(log.other).toMatchObject({ admin_info: { use_channel: [channelA, channelB] } });
    expect(await db.log.count({ where: { requestId: log.requestId, type: 2 } })).toBe(1);
    expect(before.quota - (await wallet()).quota).toBe(88n);
    // the failed attempt is an error log of the user, charged nothing, naming the channel that failed
    const [error] = await errorLogsOf(log.requestId!, 1);
    expect(error).toMatchObject({ userId, channelId: channelA, quota: 0n, content: "Upstream error: HTTP 500" });
    expect(A.requests).toHaveLength(1);
    expect(B.requests).toHaveLength(1);
  });

  it("without retries, a 500 is refunded and says nothing of the upstream's account", async () => {
    await setOption("PreConsumeMode", "always");
    A.set({ failNext: 1, failStatus: 500 });
    const before = await wallet();
    const res = await chat(hi());
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.error.code).toBe("upstream_error");
    expect(JSON.stringify(body)).not.toMatch(/sk-|balance|12\.34/);
    expect(B.requests).toHaveLength(0);
    expect(await wallet()).toEqual(before);
    const r = await db.reservation.findUniqueOrThrow({
      where: { owner_requestId: { owner: "relay", requestId: res.headers.get("x-request-id")! } },
    });
    expect(r.status).toBe(3);
  });

  it("a slow upstream that fails after the hold's lease ran out: the lease is renewed, the hold refunded, 0 charged", async () => {
    await setOption("PreConsumeMode", "always");
    A.set({ failNext: 1, failStatus: 500, delayMs: 400 });
    const before = await wallet();
    const pending = chat(hi());
    // while the upstream works, the lease runs out (a TTL shorter than the upstream's answer)
    let reservation = null;
    for (let i = 0; i < 50 && !reservation; i++) {
      reservation = await db.reservation.findFirst({ where: { userId, owner: "relay", status: 1 } });
      if (!reservation) await new Promise((r) => setTimeout(r, 10));
    }
    expect(reservation).not.toBeNull();
    await db.reservation.update({ where: { id: reservation!.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // the node serving it renews its lease, so the sweeper leaves it alone
    expect(await renewLeases()).toBeGreaterThanOrEqual(1);
    expect(await sweepExpiredReservations()).toBe(0);
    const res = await pending;
    expect(res.status).toBe(502);
    expect((await res.json()).error.message).toMatch(/nothing was charged/);
    expect(await wallet()).toEqual(before);
    expect(await db.reservation.findUniqueOrThrow({ where: { id: reservation!.id } })).toMatchObject({ status: 3 });
    expect(await db.log.count({ where: { requestId: res.headers.get("x-request-id")!, type: 2 } })).toBe(0);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("upstream down on every channel: 502, the hold refunded, the ledger audit clean", async () => {
    await setOption("RetryTimes", "3");
    await setOption("PreConsumeMode", "always");
    A.set({ dropConnection: true });
    B.set({ failNext: 10, failStatus: 503 });
    const before = await wallet();
    const res = await chat(hi());
    expect([502, 503]).toContain(res.status);
    expect(await wallet()).toEqual(before);
    const r = await db.reservation.findUniqueOrThrow({
      where: { owner_requestId: { owner: "relay", requestId: res.headers.get("x-request-id")! } },
    });
    expect(r.status).toBe(3);
    expect(await db.log.count({ where: { requestId: r.requestId, type: 2 } })).toBe(0);
    // one error log per failed attempt, in words that reveal neither the upstream's address nor its text
    const errors = await errorLogsOf(r.requestId, 2);
    expect(new Set(errors.map((e) => e.channelId))).toEqual(new Set([channelA, channelB]));
    expect(errors.find((e) => e.channelId === channelA)?.content).toBe("Upstream unreachable");
    expect(errors.find((e) => e.channelId === channelB)?.content).toBe("Upstream error: HTTP 503");
    expect(JSON.stringify(errors.map((e) => e.content))).not.toMatch(/127\.0\.0\.1|ECONN|socket/);
    expect(errors.every((e) => e.quota === 0n)).toBe(true);
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("passes a 4xx of the upstream as it is, without secrets, and refunds", async () => {
    A.set({ failNext: 1, failStatus: 400 });
    const before = await wallet();
    const res = await chat(hi());
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).not.toContain(SECRET_ERROR_MESSAGE.slice(0, 10));
    expect(body.error.message).toMatch(
      /^The upstream rejected the request \(status 400\) \(request id: [0-9a-f]{32}\)$/,
    );
    expect(await wallet()).toEqual(before);
  });
});

describe("embeddings and completions", () => {
  it("relays float and base64 embeddings untouched and bills the prompt", async () => {
    const res = await call(embeddings, "/v1/embeddings", { model: "test-embed", input: ["a", "b"] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data[1].embedding).toEqual(mockEmbedding(1));
    const log = await logOf(res);
    // 17 × 0.5 = 8.5 → 9
    expect(log).toMatchObject({ quota: 9n, promptTokens: 17, completionTokens: 0 });

    const b64 = await (
      await call(embeddings, "/v1/embeddings", { model: "test-embed", input: "a", encoding_format: "base64" })
    ).json();
    const raw = Buffer.from(b64.data[0].embedding, "base64");
    const floats = Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4));
    expect(floats).toEqual(mockEmbedding(0));
    expect(A.requests[1].body?.encoding_format).toBe("base64");
  });

  it("relays legacy completions, plain and streamed", async () => {
    const res = await call(completions, "/v1/completions", { model: "test-model", prompt: "Say hello" });
    expect((await res.json()).choices[0].text).toBe("Hello from the mock upstream.");
    expect((await logOf(res)).quota).toBe(88n);
    const s = await call(completions, "/v1/completions", { model: "test-model", prompt: "Say hello", stream: true });
    expect(await readAll(s)).toContain('"text":" mock"');
    expect((await logOf(s)).quota).toBe(88n);
  });
});

describe("key checks, in order, each with its own code", () => {
  async function expectError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const body = await res.json();
    expect(body).toEqual({
      error: { message: expect.stringContaining(`(request id: ${id})`), type: expect.any(String), param: null, code },
    });
  }
  const newKey = async (uid: number, input: Parameters<typeof createKeys>[1] = { name: "k", unlimitedQuota: true }) =>
    (await createKeys(uid, input))[0];

  it.each([
    ["no key", null, 401, "missing_api_key"],
    ["a malformed key", "sk-nope", 401, "invalid_api_key"],
    ["an unknown key", `sk-${"x".repeat(48)}`, 401, "invalid_api_key"],
  ])("%s", async (_name, key, status, code) => {
    await expectError(await chat(hi(), { key }), status, code);
  });

  it("disabled, expired (persisted as 3) and exhausted (persisted as 4) keys", async () => {
    const disabled = await newKey(userId);
    await db.token.update({ where: { id: disabled.id }, data: { status: 2 } });
    await expectError(await chat(hi(), { key: disabled.key }), 401, "token_disabled");

    const expired = await newKey(userId);
    await db.token.update({
      where: { id: expired.id },
      data: { expiredTime: BigInt(Math.floor(Date.now() / 1000) - 5) },
    });
    await expectError(await chat(hi(), { key: expired.key }), 401, "token_expired");
    expect((await db.token.findUniqueOrThrow({ where: { id: expired.id } })).status).toBe(3);

    const exhausted = await newKey(userId, { name: "k", unlimitedQuota: false, remainQuota: 0n });
    await expectError(await chat(hi(), { key: exhausted.key }), 401, "token_exhausted");
    expect((await db.token.findUniqueOrThrow({ where: { id: exhausted.id } })).status).toBe(4);
    // and it stays refused as a persisted status
    await expectError(await chat(hi(), { key: exhausted.key }), 401, "token_exhausted");
  });

  it("a cached balance that proved stale does not disable the key", async () => {
    const k = await newKey(userId, { name: "k", unlimitedQuota: false, remainQuota: 10n * QPU });
    expect((await chat(hi(), { key: k.key })).status).toBe(200);
    await settlesIdle();
    // this node last saw the key at 0 (say, while another node held its budget, since refunded)
    balanceChanged({ kind: "settle", userId, tokenId: k.id, tokenRemain: 0n });
    expect((await chat(hi(), { key: k.key })).status).toBe(200);
    await settlesIdle();
    expect((await db.token.findUniqueOrThrow({ where: { id: k.id } })).status).toBe(1);
  });

  it("IP allow-list", async () => {
    const k = await newKey(userId, { name: "k", unlimitedQuota: true, allowIps: "10.1.0.0/16\n192.0.2.7" });
    await expectError(await chat(hi(), { key: k.key, ip: "127.0.0.1" }), 403, "ip_not_allowed");
    expect((await chat(hi(), { key: k.key, ip: "10.1.2.3" })).status).toBe(200);
    expect((await chat(hi(), { key: k.key, ip: "192.0.2.7" })).status).toBe(200);
    await settlesIdle();
  });

  it("banned user, unusable and retired groups", async () => {
    const banned = await makeUser({ quota: 100n * QPU });
    const bk = await newKey(banned.id);
    await db.user.update({ where: { id: banned.id }, data: { status: 2 } });
    invalidate("user", banned.id);
    await expectError(await chat(hi(), { key: bk.key }), 403, "user_banned");

    const g1 = await newKey(userId);
    await db.token.update({ where: { id: g1.id }, data: { group: "secret" } });
    await expectError(await chat(hi(), { key: g1.key }), 403, "group_not_usable");
    const g2 = await newKey(userId, { name: "k", unlimitedQuota: true, group: "old" });
    await expectError(await chat(hi(), { key: g2.key }), 403, "group_deprecated");
  });

  it("model allow-list, no channel, no price, no money", async () => {
    const limited = await newKey(userId, { name: "k", unlimitedQuota: true, modelLimits: ["test-embed"] });
    await expectError(await chat(hi(), { key: limited.key }), 403, "model_not_allowed");
    await expectError(await chat({ ...hi(), model: "test-unserved" }), 503, "model_not_found");
    await expectError(await chat({ ...hi(), model: "unpriced-model" }), 400, "model_price_error");

    const poor = await makeUser();
    await expectError(await chat(hi(), { key: (await newKey(poor.id)).key }), 403, "insufficient_user_quota");
    // estimate (500 + 0) × 2.5 = 1250 > the key's 100
    const small = await newKey(userId, { name: "k", unlimitedQuota: false, remainQuota: 100n });
    await expectError(await chat(hi(), { key: small.key }), 403, "pre_consume_token_quota_failed");
  });

  it("none of the refusals reserved or charged anything", async () => {
    const reservations = await db.reservation.findMany({ where: { status: { notIn: [2, 3] } } });
    expect(reservations).toEqual([]);
    expect((await auditLedger()).differences).toEqual([]);
  });
});

describe("bad input: an OpenAI-shaped 4xx, nothing charged", () => {
  it.each([
    ["malformed JSON", { raw: "{not json" }, 400, "invalid_json", null],
    ["an empty body", { raw: "" }, 400, "missing_body", null],
    ["a JSON array", { raw: "[1]" }, 400, "invalid_request_body", null],
    ["no model", { raw: JSON.stringify({ messages: [] }) }, 400, "missing_model", "model"],
    ["model not a string", { raw: JSON.stringify({ model: 5, messages: [] }) }, 400, "invalid_type", "model"],
    ["no messages", { raw: JSON.stringify({ model: "test-model" }) }, 400, "missing_required_parameter", "messages"],
    [
      "messages not an array",
      { raw: JSON.stringify({ model: "test-model", messages: "hi" }) },
      400,
      "invalid_type",
      "messages",
    ],
    ["stream not a boolean", { raw: JSON.stringify({ ...hi(), stream: "yes" }) }, 400, "invalid_type", "stream"],
    ["negative max_tokens", { raw: JSON.stringify({ ...hi(), max_tokens: -1 }) }, 400, "invalid_type", "max_tokens"],
    [
      "a body over the limit",
      { raw: JSON.stringify({ ...hi(), pad: "x".repeat(5000) }) },
      413,
      "request_too_large",
      null,
    ],
  ])("%s", async (_name, o, status, code, param) => {
    const before = await db.reservation.count();
    const res = await chat(null, o);
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error).toMatchObject({ code, param });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(await db.reservation.count()).toBe(before);
  });

  it("a chunked body over the limit is cut off while reading", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ ...hi(), pad: "x".repeat(10_000) }));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(big.subarray(0, 3000));
        c.enqueue(big.subarray(3000));
        c.close();
      },
    });
    const req = new Request("http://tollgate.test/v1/chat/completions", {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${KEY}` },
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    const res = await chatCompletions(req, { clientIp: "127.0.0.1" });
    expect(res.status).toBe(413);
  });

  it("wrong method and unknown routes", async () => {
    const res = await chat(null, { method: "GET" });
    expect(res.status).toBe(405);
    expect((await res.json()).error.code).toBe("method_not_allowed");
    const nf = await unknownRoute(new Request("http://tollgate.test/v1/nope", { method: "POST" }));
    expect(nf.status).toBe(404);
    expect((await nf.json()).error).toMatchObject({
      code: "unknown_url",
      message: expect.stringContaining("Invalid URL (POST /v1/nope)"),
    });
    expect(nf.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("models and balances", () => {
  it("lists the models the key may use: served, allowed, priced", async () => {
    const all = await (await call(listModels, "/v1/models", null, { method: "GET" })).json();
    expect(all.object).toBe("list");
    expect(all.data.map((m: { id: string }) => m.id)).toEqual(["test-embed", "test-mapped", "test-model"]);
    expect(all.data[0]).toMatchObject({ object: "model", owned_by: "tollgate" });
    const k = (
      await createKeys(userId, {
        name: "k",
        unlimitedQuota: true,
        modelLimits: ["test-model", "unpriced-model", "nope"],
      })
    )[0];
    const some = await (await call(listModels, "/v1/models", null, { method: "GET", key: k.key })).json();
    expect(some.data.map((m: { id: string }) => m.id)).toEqual(["test-model"]);
  });

  it("billing endpoints and /api/usage/token report the key", async () => {
    const k = (await createKeys(userId, { name: "budget", unlimitedQuota: false, remainQuota: 2n * QPU }))[0];
    const res = await chat(hi(), { key: k.key });
    await logOf(res);
    const sub = await (
      await call(billingSubscription, "/v1/dashboard/billing/subscription", null, { method: "GET", key: k.key })
    ).json();
    // granted = remain + used = 1,000,000 quota = $2
    expect(sub).toEqual({
      object: "billing_subscription",
      has_payment_method: true,
      soft_limit_usd: 2,
      hard_limit_usd: 2,
      system_hard_limit_usd: 2,
      access_until: 0,
    });
    const usage = await (
      await call(billingUsage, "/v1/dashboard/billing/usage", null, { method: "GET", key: k.key })
    ).json();
    // 88 quota = $0.000176 = 0.0176 cents
    expect(usage).toEqual({ object: "list", total_usage: 0.0176 });
    const tu = await (
      await tokenUsage(
        new Request("http://tollgate.test/api/usage/token", { headers: { authorization: `Bearer ${k.key}` } }),
        { clientIp: "127.0.0.1" },
      )
    ).json();
    expect(tu).toEqual({
      code: true,
      message: "ok",
      data: {
        object: "token_usage",
        name: "budget",
        total_granted: 1_000_000,
        total_used: 88,
        total_available: 999_912,
        unlimited_quota: false,
        model_limits: {},
        model_limits_enabled: false,
        expires_at: 0,
      },
    });
    const none = await tokenUsage(new Request("http://tollgate.test/api/usage/token"), { clientIp: "127.0.0.1" });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ success: false, code: "missing_api_key" });
  });
});
