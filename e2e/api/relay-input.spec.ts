import { expect, test } from "@playwright/test";
import { MockUpstream } from "../support/mock-upstream";
import { rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Hostile input is a 400 that says what is wrong, never a 500: JSON nested thousands of levels deep
// (it overflowed the stack of the recursive walks) and NUL characters in text that PostgreSQL
// would have to store (it cannot). Nothing is reserved or charged for any of it.

const MODEL = "gpt-4o-mini";
const seed = Seed.forSpec();
let mock: MockUpstream;
let userId: number;
let key: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await MockUpstream.start();
  await seed.createChannel({ name: "input", baseUrl: mock.url, models: [MODEL] });
  userId = (await seed.createUser({ quota: 50n * QUOTA_PER_USD })).id;
  key = (await seed.createKey(userId)).key;
});

test.afterAll(async () => {
  await mock.close();
  await seed.close();
});

/** `levels` arrays around "a", as JSON text */
const nested = (levels: number) => `${"[".repeat(levels)}"a"${"]".repeat(levels)}`;

test("5,000 levels of nesting in prompt, input or messages are a 400", async () => {
  const cases: [string, string][] = [
    ["/v1/completions", `{"model":"${MODEL}","prompt":${nested(5000)}}`],
    ["/v1/embeddings", `{"model":"${MODEL}","input":${nested(5000)}}`],
    ["/v1/chat/completions", `{"model":"${MODEL}","messages":[{"role":"user","content":${nested(5000)}}]}`],
    [
      "/v1/chat/completions",
      `{"model":"${MODEL}","stream":true,"messages":[{"role":"user","content":"hi"}],"metadata":${nested(5000)}}`,
    ],
  ];
  for (const [path, body] of cases) {
    const r = await rawCall(path, { key, body });
    expect(r.status, `${path} ${body.slice(-60)}`).toBe(400);
    expect(r.json.error).toMatchObject({ code: "nesting_too_deep", type: "invalid_request_error" });
    expect(r.requestId).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(mock.requests).toHaveLength(0);
});

test("a NUL character in the model is a 400 naming the model", async () => {
  const r = await rawCall("/v1/chat/completions", {
    key,
    body: JSON.stringify({ model: `${MODEL}\u0000`, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(r.status).toBe(400);
  expect(r.json.error).toMatchObject({
    code: "invalid_value",
    param: "model",
    message: expect.stringContaining("NUL"),
  });
});

test("settlement API: a refund reason with a NUL character is a 400, the reservation stays open", async () => {
  const secret = await seed.createServiceKey();
  const headers = { authorization: `Bearer ${secret}` };
  const requestId = `e2e-nul-${Date.now()}`;
  const reserved = await rawCall("/api/settlement/reserve", {
    headers,
    body: JSON.stringify({ key, model: MODEL, request_id: requestId }),
  });
  expect(reserved.status, reserved.text).toBe(200);
  const refund = await rawCall("/api/settlement/refund", {
    headers,
    body: JSON.stringify({ request_id: requestId, reason: "upstream\u0000failed" }),
  });
  expect(refund.status).toBe(400);
  expect(refund.json).toMatchObject({
    success: false,
    code: "validation",
    message: "reason: must not contain NUL (U+0000) characters",
  });
  const reserveNul = await rawCall("/api/settlement/reserve", {
    headers,
    body: JSON.stringify({ key, model: `${MODEL}\u0000`, request_id: `${requestId}-2` }),
  });
  expect(reserveNul.status).toBe(400);
  expect(reserveNul.json).toMatchObject({
    success: false,
    code: "validation",
    message: expect.stringContaining("model"),
  });
  const { rows } = await seed.pool.query<{ status: number }>("SELECT status FROM reservations WHERE request_id = $1", [
    requestId,
  ]);
  expect(rows).toEqual([{ status: 1 }]);
  const ok = await rawCall("/api/settlement/refund", {
    headers,
    body: JSON.stringify({ request_id: requestId, reason: "upstream failed" }),
  });
  expect(ok.status).toBe(200);
  expect(await seed.audit(userId)).toEqual([]);
});
