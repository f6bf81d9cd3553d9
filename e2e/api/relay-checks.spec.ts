import { expect, test } from "@playwright/test";
import { MockUpstream } from "../support/mock-upstream";
import { openai, rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Every refusal of the relay: the key checks in order, each with its own code and an
// X-Request-Id, and bad input; none of them reserves or charges anything.

const MODEL = "gpt-4o-mini";
const messages = [{ role: "user" as const, content: "Say hello" }];
const seed = Seed.forSpec();
let mock: MockUpstream;
let userId: number;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await MockUpstream.start();
  await seed.createChannel({ name: "checks", baseUrl: mock.url, models: [MODEL, "unpriced-model"] });
  userId = (await seed.createUser({ quota: 50n * QUOTA_PER_USD })).id;
});

test.afterAll(async () => {
  await mock.close();
  await seed.close();
});

async function refused(apiKey: string, status: number, code: string, body: Record<string, unknown> = {}) {
  const err = await openai(apiKey)
    .chat.completions.create({ model: MODEL, messages, ...body })
    .catch((e) => e);
  expect(err.status, `${code}: ${err.message}`).toBe(status);
  expect(err.code).toBe(code);
  expect(err.requestID).toMatch(/^[0-9a-f]{32}$/);
  expect(err.error.message).toContain(`(request id: ${err.requestID})`);
  return err;
}

test("no key, a malformed key, an unknown key", async () => {
  const none = await rawCall("/v1/chat/completions", { body: JSON.stringify({ model: MODEL, messages }) });
  expect(none.status).toBe(401);
  expect(none.json.error).toMatchObject({ code: "missing_api_key", type: "authentication_error" });
  expect(none.requestId).toMatch(/^[0-9a-f]{32}$/);
  await refused("sk-short", 401, "invalid_api_key");
  await refused(`sk-${"Z".repeat(48)}`, 401, "invalid_api_key");
});

test("disabled, expired and exhausted keys; expired and exhausted are persisted as 3 and 4", async () => {
  await refused((await seed.createKey(userId, { status: 2 })).key, 401, "token_disabled");
  const expired = await seed.createKey(userId, { expiredTime: Math.floor(Date.now() / 1000) - 60 });
  await refused(expired.key, 401, "token_expired");
  expect(await seed.tokenStatus(expired.id)).toBe(3);
  const exhausted = await seed.createKey(userId, { unlimited: false, remain: 0n });
  await refused(exhausted.key, 401, "token_exhausted");
  expect(await seed.tokenStatus(exhausted.id)).toBe(4);
});

test("IP allow-list: by default no proxy is trusted, so a local client cannot forge X-Forwarded-For", async () => {
  const k = await seed.createKey(userId, { allowIps: "203.0.113.0/24" });
  await refused(k.key, 403, "ip_not_allowed");
  // the test talks to the server over loopback; with TRUSTED_PROXIES unset its header is not believed
  const forged = await rawCall("/v1/chat/completions", {
    key: k.key,
    body: JSON.stringify({ model: MODEL, messages }),
    headers: { "x-forwarded-for": "203.0.113.9" },
  });
  expect(forged.status).toBe(403);
  expect(forged.json.error).toMatchObject({
    code: "ip_not_allowed",
    message: expect.stringContaining("IP 127.0.0.1 is not in this key's allow-list"),
  });
  // the socket's own address is what counts
  const local = await seed.createKey(userId, { allowIps: "127.0.0.1" });
  const direct = await rawCall("/v1/chat/completions", {
    key: local.key,
    body: JSON.stringify({ model: MODEL, messages }),
    headers: { "x-forwarded-for": "203.0.113.9" },
  });
  expect(direct.status).toBe(200);
});

test("banned user, unusable group, model not allowed, no channel, no price, no money", async () => {
  const banned = (await seed.createUser({ quota: 50n * QUOTA_PER_USD, status: 2 })).id;
  await refused((await seed.createKey(banned)).key, 403, "user_banned");
  await refused((await seed.createKey(userId, { group: "not-mine" })).key, 403, "group_not_usable");
  await refused((await seed.createKey(userId, { models: ["gpt-4o"] })).key, 403, "model_not_allowed");
  const k = await seed.createKey(userId);
  await refused(k.key, 503, "model_not_found", { model: "gpt-4o" });
  await refused(k.key, 400, "model_price_error", { model: "unpriced-model" });
  const poor = (await seed.createUser()).id;
  await refused((await seed.createKey(poor)).key, 403, "insufficient_user_quota");
  // estimate (500 + 0) × 0.075 = 37 > the key's 10
  await refused(
    (await seed.createKey(userId, { unlimited: false, remain: 10n })).key,
    403,
    "pre_consume_token_quota_failed",
  );
});

test("bad input is an OpenAI-shaped 4xx; unknown routes 404", async () => {
  const k = await seed.createKey(userId);
  const cases: [string, string, number, string][] = [
    ["malformed JSON", "{oops", 400, "invalid_json"],
    ["no model", JSON.stringify({ messages }), 400, "missing_model"],
    ["messages not an array", JSON.stringify({ model: MODEL, messages: "hi" }), 400, "invalid_type"],
    ["max_tokens a string", JSON.stringify({ model: MODEL, messages, max_tokens: "10" }), 400, "invalid_type"],
    [
      "over 10 MB",
      JSON.stringify({ model: MODEL, messages, pad: "x".repeat(10 * 1024 * 1024) }),
      413,
      "request_too_large",
    ],
  ];
  for (const [name, body, status, code] of cases) {
    const r = await rawCall("/v1/chat/completions", { key: k.key, body });
    expect(r.status, name).toBe(status);
    expect(r.json.error.code, name).toBe(code);
    expect(r.requestId, name).toMatch(/^[0-9a-f]{32}$/);
  }
  const nf = await rawCall("/v1/no/such/route", { key: k.key, body: "{}" });
  expect(nf.status).toBe(404);
  expect(nf.json.error).toMatchObject({
    code: "unknown_url",
    message: expect.stringContaining("Invalid URL (POST /v1/no/such/route)"),
  });
  const get = await rawCall("/v1/chat/completions", { method: "GET", key: k.key });
  expect(get.status).toBe(405);
});

test("nothing was reserved or charged by any refusal", async () => {
  const { rows } = await seed.pool.query(
    'SELECT count(*)::int AS n FROM reservations r JOIN users u ON u.id = r.user_id WHERE u."group" = $1',
    [seed.group],
  );
  // only the call of the IP test that got through
  expect(rows[0].n).toBe(1);
  expect(await seed.audit(userId)).toEqual([]);
  expect(mock.requests.length).toBe(1);
});
