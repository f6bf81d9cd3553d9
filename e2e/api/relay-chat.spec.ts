import { expect, test } from "@playwright/test";
import { MockUpstream } from "../support/mock-upstream";
import { openai } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Chat completions through the relay with the official client, against two mock upstreams.
// gpt-4-turbo has the built-in prices ratio 5 ($10 / 1M input) and completion ratio 3 ($30 / 1M
// output): the mock's usage (17 prompt, 6 completion) costs (17 + 6 × 3) × 5 = 175 quota.
// The user holds $4 (below the $10 trust threshold), so every request really holds its estimate
// ((max(prompt, 500) + max_tokens) × 5) and the refunds below return something.

const MODEL = "gpt-4-turbo";
const CHARGE = 175n;
const messages = [{ role: "user" as const, content: "Say hello" }];

const seed = Seed.forSpec();
let A: MockUpstream;
let B: MockUpstream;
let channelA: number;
let channelB: number;
let userId: number;
let key: { id: number; key: string };

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  A = await MockUpstream.start();
  B = await MockUpstream.start();
  channelA = await seed.createChannel({
    name: "A",
    baseUrl: `${A.url}/v1`,
    models: [MODEL, "gpt-4.1-nano"],
    priority: 10,
  });
  channelB = await seed.createChannel({ name: "B", baseUrl: B.url, models: [MODEL, "gpt-4.1-nano"], priority: 0 });
  userId = (await seed.createUser({ quota: 4n * QUOTA_PER_USD })).id;
  key = await seed.createKey(userId);
  // one retry; the server reloads options within 10 s: probe until a failure on A is retried on B
  await seed.setOption("RetryTimes", 1);
  const client = openai(key.key);
  await expect
    .poll(
      async () => {
        A.set({ failNext: 1 });
        try {
          await client.chat.completions.create({ model: "gpt-4.1-nano", messages });
          return "retried";
        } catch {
          return "not yet";
        }
      },
      { timeout: 20_000, intervals: [500] },
    )
    .toBe("retried");
  // the probes' settles land after their answers: the first test reads the wallet after them
  await seed.settled(userId);
});

test.beforeEach(() => {
  A.reset();
  B.reset();
});

test.afterAll(async () => {
  await A.close();
  await B.close();
  await seed.close();
});

test("non-stream: the upstream's answer, charged by its usage", async () => {
  const before = await seed.balances(userId, key.id);
  const { data, response } = await openai(key.key).chat.completions.create({ model: MODEL, messages }).withResponse();
  expect(data.choices[0].message.content).toBe("Hello from the mock upstream.");
  expect(data.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 6 });
  const requestId = response.headers.get("x-request-id")!;
  expect(requestId).toMatch(/^[0-9a-f]{32}$/);
  const { status, log } = await seed.finished(requestId);
  expect(status).toBe(2);
  expect(log).toMatchObject({
    quota: CHARGE,
    prompt_tokens: 17,
    completion_tokens: 6,
    channel_id: channelA,
    is_stream: false,
  });
  expect(log!.other).toMatchObject({ usage_source: "upstream", model_ratio: 5, completion_ratio: 3 });
  const after = await seed.balances(userId, key.id);
  expect(before.quota - after.quota).toBe(CHARGE);
  expect(after.keyUsed - before.keyUsed).toBe(CHARGE);
  // the channel's key went upstream, never back
  expect(A.requests[0].authorization).toBe("Bearer sk-A-upstream-secret");
  expect(JSON.stringify(data)).not.toContain("upstream-secret");
});

test("stream with include_usage: chunks as they come, the usage chunk forwarded", async () => {
  const before = await seed.balances(userId, key.id);
  const { data: stream, response } = await openai(key.key)
    .chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } })
    .withResponse();
  let text = "";
  let usage: unknown = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text).toBe("Hello from the mock upstream.");
  expect(usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 6, total_tokens: 23 });
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CHARGE, is_stream: true });
  expect(log!.other).toMatchObject({ usage_source: "upstream", stream_status: { end_reason: "done" } });
  expect(before.quota - (await seed.balances(userId, key.id)).quota).toBe(CHARGE);
});

test("stream without include_usage: usage asked upstream, not forwarded, still billed exactly", async () => {
  const { data: stream, response } = await openai(key.key)
    .chat.completions.create({ model: MODEL, messages, stream: true })
    .withResponse();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  expect(chunks.some((c) => c.usage)).toBe(false);
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello from the mock upstream.");
  expect(A.requests[0].body?.stream_options).toEqual({ include_usage: true });
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CHARGE, prompt_tokens: 17, completion_tokens: 6 });
});

test("upstream 500 on the first channel, success on the second: charged once", async () => {
  A.set({ failNext: 1, failStatus: 500 });
  const before = await seed.balances(userId, key.id);
  const { response } = await openai(key.key).chat.completions.create({ model: MODEL, messages }).withResponse();
  const requestId = response.headers.get("x-request-id")!;
  const { log } = await seed.finished(requestId);
  expect(log).toMatchObject({ quota: CHARGE, channel_id: channelB });
  expect(log!.other).toMatchObject({ admin_info: { use_channel: [channelA, channelB] } });
  expect(A.requests).toHaveLength(1);
  expect(B.requests).toHaveLength(1);
  expect(before.quota - (await seed.balances(userId, key.id)).quota).toBe(CHARGE);
  expect(await seed.audit(userId)).toEqual([]);
});

test("upstream down: an error without the upstream's secrets, the hold refunded, the ledger clean", async () => {
  A.set({ dropConnection: true });
  B.set({ failNext: 5, failStatus: 500 });
  const before = await seed.balances(userId, key.id);
  const err = await openai(key.key)
    .chat.completions.create({ model: MODEL, messages, max_tokens: 50 })
    .catch((e) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err.status).toBe(502);
  expect(err.code).toBe("upstream_error");
  expect(JSON.stringify(err.error)).not.toMatch(/sk-|balance|12\.34/);
  const { status, log } = await seed.finished(err.requestID);
  expect(status).toBe(3);
  expect(log).toBeNull();
  expect(await seed.balances(userId, key.id)).toEqual(before);
  expect(await seed.audit(userId)).toEqual([]);
});

test("client disconnects mid-stream: the upstream is aborted, only what was served is charged", async () => {
  A.set({ pieces: Array(60).fill(" hello"), chunkDelayMs: 50 });
  const before = await seed.balances(userId, key.id);
  const { data: stream, response } = await openai(key.key)
    .chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } })
    .withResponse();
  let received = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta?.content) received++;
    if (received === 3) break; // leaving the loop aborts the request
  }
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  await expect.poll(() => A.disconnects).toBe(1);
  expect(A.lastDisconnectChunks).toBeLessThan(20);
  // " hello" is one token; prompt counted locally: "user" 1 + "Say hello" 2 + 3 + 3 = 9
  expect(log!.completion_tokens).toBeGreaterThanOrEqual(3);
  expect(log!.completion_tokens).toBeLessThanOrEqual(5);
  expect(log!.prompt_tokens).toBe(9);
  expect(log!.quota).toBe(BigInt((9 + 3 * log!.completion_tokens) * 5));
  expect(log!.other).toMatchObject({ usage_source: "local_count", stream_status: { end_reason: "client_disconnect" } });
  expect(before.quota - (await seed.balances(userId, key.id)).quota).toBe(log!.quota);
  expect(await seed.audit(userId)).toEqual([]);
});
