import { expect, test } from "@playwright/test";
import { MockUpstream, mockEmbedding } from "../support/mock-upstream";
import { openai, rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Embeddings (float and base64), /v1/models filtered by the key's allow-list, and the billing
// endpoints that tools read a key's balance from. text-embedding-3-small costs ratio 0.01
// ($0.02 / 1M): the mock's 1000 prompt tokens cost 1000 × 0.01 = 10 quota.

const seed = Seed.forSpec();
let mock: MockUpstream;
let userId: number;
let key: { id: number; key: string };

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await MockUpstream.start();
  await seed.createChannel({
    name: "emb",
    baseUrl: mock.url,
    models: ["text-embedding-3-small", "gpt-4o", "gpt-4-turbo", "unpriced-xyz"],
  });
  userId = (await seed.createUser({ quota: 50n * QUOTA_PER_USD })).id;
  key = await seed.createKey(userId);
});

test.beforeEach(() => {
  mock.reset().set({ usage: { prompt_tokens: 1000, completion_tokens: 0 } });
});

test.afterAll(async () => {
  await mock.close();
  await seed.close();
});

test("embeddings as floats", async () => {
  const { data, response } = await openai(key.key)
    .embeddings.create({ model: "text-embedding-3-small", input: ["first", "second"], encoding_format: "float" })
    .withResponse();
  expect(data.data.map((d) => d.embedding)).toEqual([mockEmbedding(0), mockEmbedding(1)]);
  expect(data.usage).toEqual({ prompt_tokens: 1000, total_tokens: 1000 });
  expect(mock.requests[0].body).toMatchObject({ encoding_format: "float", input: ["first", "second"] });
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: 10n, prompt_tokens: 1000, completion_tokens: 0 });
});

test("embeddings as base64 (the client's default), decoded by the client to the same floats", async () => {
  const { data, response } = await openai(key.key)
    .embeddings.create({ model: "text-embedding-3-small", input: "only" })
    .withResponse();
  expect(mock.requests[0].body).toMatchObject({ encoding_format: "base64" });
  expect(data.data[0].embedding).toEqual(mockEmbedding(0));
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log!.quota).toBe(10n);
});

test("models: what the key may use — served in its group, on its allow-list, priced", async () => {
  const all = await openai(key.key).models.list();
  expect(all.data.map((m) => m.id)).toEqual(["gpt-4-turbo", "gpt-4o", "text-embedding-3-small"]);
  const limited = await seed.createKey(userId, { models: ["gpt-4o", "unpriced-xyz", "not-served"] });
  const some = await openai(limited.key).models.list();
  expect(some.data.map((m) => m.id)).toEqual(["gpt-4o"]);
  expect((await openai(limited.key).models.retrieve("gpt-4o")).id).toBe("gpt-4o");
  const err = await openai(limited.key)
    .models.retrieve("gpt-4-turbo")
    .catch((e) => e);
  expect(err.status).toBe(404);
});

test("billing subscription and usage, /api/usage/token", async () => {
  const k = await seed.createKey(userId, { unlimited: false, remain: 2n * QUOTA_PER_USD });
  const { response } = await openai(k.key)
    .embeddings.create({ model: "text-embedding-3-small", input: "x" })
    .withResponse();
  await seed.finished(response.headers.get("x-request-id")!);
  const sub = await rawCall("/v1/dashboard/billing/subscription", { method: "GET", key: k.key });
  expect(sub.status).toBe(200);
  // granted = remain + used = $2 whatever was spent
  expect(sub.json).toEqual({
    object: "billing_subscription",
    has_payment_method: true,
    soft_limit_usd: 2,
    hard_limit_usd: 2,
    system_hard_limit_usd: 2,
    access_until: 0,
  });
  const usage = await rawCall("/v1/dashboard/billing/usage", { method: "GET", key: k.key });
  // 10 quota = $0.00002 = 0.002 cents
  expect(usage.json).toEqual({ object: "list", total_usage: 0.002 });
  const tu = await rawCall("/api/usage/token", { method: "GET", key: k.key });
  expect(tu.json).toEqual({
    code: true,
    message: "ok",
    data: {
      object: "token_usage",
      name: "e2e key",
      total_granted: 1_000_000,
      total_used: 10,
      total_available: 999_990,
      unlimited_quota: false,
      model_limits: {},
      model_limits_enabled: false,
      expires_at: 0,
    },
  });
  const unlimited = await rawCall("/v1/dashboard/billing/subscription", { method: "GET", key: key.key });
  expect(unlimited.json.hard_limit_usd).toBe(100_000_000);
});
