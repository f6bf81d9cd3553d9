import { expect, test } from "@playwright/test";
import { MockUpstream } from "../support/mock-upstream";
import { rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, RelaySeed } from "../support/relay-seed";

// Hostile input is a 400 that says what is wrong, never a 500: JSON nested thousands of levels deep
// (it overflowed the stack of the recursive walks). Nothing is reserved or charged for it.

const MODEL = "gpt-4o-mini";
const seed = new RelaySeed();
let mock: MockUpstream;
let userId: number;
let key: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await MockUpstream.start();
  await seed.createChannel({ name: "input", baseUrl: mock.url, models: [MODEL] });
  userId = await seed.createUser({ quota: 50n * QUOTA_PER_USD });
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
    ["/v1/chat/completions", `{"model":"${MODEL}","stream":true,"messages":[{"role":"user","content":"hi"}],"metadata":${nested(5000)}}`],
  ];
  for (const [path, body] of cases) {
    const r = await rawCall(path, { key, body });
    expect(r.status, `${path} ${body.slice(-60)}`).toBe(400);
    expect(r.json.error).toMatchObject({ code: "nesting_too_deep", type: "invalid_request_error" });
    expect(r.requestId).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(mock.requests).toHaveLength(0);
});
