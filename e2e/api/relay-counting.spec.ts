import { expect, test } from "@playwright/test";
import { E2E_BASE_URL } from "../global-setup";
import { MockUpstream } from "../support/mock-upstream";
import { rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Counting a prompt's tokens never holds up the server. 32,000 `a`s in one run used to take minutes
// of the event loop (health checks included) even for a key whose user had nothing to spend.

const MODEL = "gpt-4o-mini";
const seed = Seed.forSpec();
let mock: MockUpstream;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  mock = await MockUpstream.start();
  await seed.createChannel({ name: "counting", baseUrl: mock.url, models: [MODEL] });
});

test.afterAll(async () => {
  await mock.close();
  await seed.close();
});

const chat = (content: string) => JSON.stringify({ model: MODEL, messages: [{ role: "user", content }] });

test("a 32,000-`a` prompt from a user with an empty wallet is refused at once with 403", async () => {
  const poor = (await seed.createUser()).id;
  const { key } = await seed.createKey(poor);
  const started = Date.now();
  const r = await rawCall("/v1/chat/completions", { key, body: chat("a".repeat(32_000)) });
  const took = Date.now() - started;
  expect(r.status).toBe(403);
  expect(r.json.error).toMatchObject({
    code: "insufficient_user_quota",
    message: expect.stringContaining("User quota is not enough"),
  });
  expect(took).toBeLessThan(3_000);
  expect(mock.requests).toHaveLength(0);
});

test("/api/health answers at once while a large prompt is being counted", async () => {
  const userId = (await seed.createUser({ quota: 50n * QUOTA_PER_USD })).id;
  const { key } = await seed.createKey(userId);
  const prose = "The quick brown fox jumps over the lazy dog; Tollgate counts 12345 tokens — naïve café 你好 🌍\n";
  // ~830,000 characters: counted exactly, off the event loop, which takes a noticeable while
  const content = `${prose.repeat(Math.ceil(800_000 / prose.length))}${"a".repeat(32_000)}`;
  let done = false;
  const relayed = rawCall("/v1/chat/completions", { key, body: chat(content) }).finally(() => {
    done = true;
  });
  const healthTimes: number[] = [];
  do {
    const started = Date.now();
    const h = await fetch(`${E2E_BASE_URL}/api/health`);
    healthTimes.push(Date.now() - started);
    expect(h.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
  } while (!done);
  const r = await relayed;
  expect(r.status, r.text.slice(0, 200)).toBe(200);
  expect(Math.max(...healthTimes)).toBeLessThan(500);
  // counted (the estimate of gpt-4o-mini is 0.075 per token), not guessed from its size (3 bytes a token);
  // a trusted request's reservation is written by its settle, after the answer
  await seed.settled(userId);
  const { rows } = await seed.pool.query<{ estimate: string }>(
    "SELECT estimate::text FROM reservations WHERE request_id = $1",
    [r.requestId],
  );
  expect(Number(rows[0].estimate)).toBeLessThan(0.9 * 0.075 * (Buffer.byteLength(content) / 3));
  // the upstream got the prompt as sent
  expect((mock.requests.at(-1)?.body as { messages: { content: string }[] }).messages[0].content).toBe(content);
});
