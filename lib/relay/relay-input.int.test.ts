import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createChannel } from "@/lib/channels/service";
import { db } from "@/lib/db";
import { MockUpstream } from "@/e2e/support/mock-upstream";
import { makeKey, makeUser } from "@/tests/factories";
import { chatCompletions, completions, embeddings } from "./endpoints";
import { settlesIdle } from "@/lib/quota/settle-queue";
import { countPromptTokens } from "./tokenizer";
import { adjustUserQuota } from "@/lib/quota/credits";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

// What the relay does with hostile input before it spends anything on it: an empty wallet is
// refused before the prompt is counted, nesting deeper than any OpenAI request is a 400 (it was a
// 500 from a stack overflow), and a model name PostgreSQL could not store is a 400.

vi.mock("./tokenizer", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./tokenizer")>();
  return { ...actual, countPromptTokens: vi.fn(actual.countPromptTokens) };
});

const MODEL = "gpt-4o-mini";
let mock: MockUpstream;

auditLedgerAfterEach();

beforeAll(async () => {
  mock = await MockUpstream.start();
  await createChannel({ name: "input", baseUrl: mock.url, key: "sk-input-upstream", models: [MODEL] });
});

afterAll(async () => {
  await settlesIdle();
  await mock.close();
});

function post(
  fn: (req: Request, ctx: { clientIp: string }) => Promise<Response>,
  path: string,
  key: string,
  body: unknown,
) {
  const req = new Request(`http://tollgate.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return fn(req, { clientIp: "127.0.0.1" });
}

// long enough that the exact count matters (its byte length is above PreConsumedQuota)
const longPrompt = "Please summarise the following text for me. ".repeat(50);
const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: "user", content }],
  ...extra,
});

/** `levels` arrays around "a", as text (JSON.stringify itself overflows on such values) */
const nested = (levels: number) => `${"[".repeat(levels)}"a"${"]".repeat(levels)}`;

describe("the balance sign before counting", () => {
  it("refuses an empty wallet with the reserve's error before the prompt is counted", async () => {
    const poor = await makeUser();
    const key = await makeKey(poor.id);
    vi.mocked(countPromptTokens).mockClear();
    const res = await post(chatCompletions, "/v1/chat/completions", key.key, chatBody(longPrompt));
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "insufficient_user_quota", type: "permission_error" });
    expect(body.error.message).toMatch(
      /^User quota is not enough, remaining quota: \$0(\.0+)? \(request id: [0-9a-f]{32}\)$/,
    );
    expect(countPromptTokens).not.toHaveBeenCalled();
    expect(await db.reservation.count({ where: { userId: poor.id } })).toBe(0);
    expect(mock.requests).toHaveLength(0);
  });

  it("reads a wallet the key's cache holds as empty again before refusing (a credit made elsewhere)", async () => {
    const u = await makeUser();
    const key = await makeKey(u.id);
    expect((await post(chatCompletions, "/v1/chat/completions", key.key, chatBody(longPrompt))).status).toBe(403);
    // credited behind this process's back (another node): no cache invalidation here
    await adjustUserQuota(
      { id: null, username: "test" },
      { userId: u.id, mode: "add", amount: 1_000_000n, reason: "test" },
    );
    vi.mocked(countPromptTokens).mockClear();
    const res = await post(chatCompletions, "/v1/chat/completions", key.key, chatBody(longPrompt));
    expect(res.status).toBe(200);
    expect(countPromptTokens).toHaveBeenCalledTimes(1);
    await settlesIdle();
  });
});

describe("nesting", () => {
  it.each([
    ["completions prompt", completions, "/v1/completions", `{"model":"${MODEL}","prompt":${nested(5000)}}`],
    ["embeddings input", embeddings, "/v1/embeddings", `{"model":"${MODEL}","input":${nested(5000)}}`],
    [
      "chat message content",
      chatCompletions,
      "/v1/chat/completions",
      `{"model":"${MODEL}","messages":[{"role":"user","content":${nested(5000)}}]}`,
    ],
    [
      "a field the relay passes on",
      chatCompletions,
      "/v1/chat/completions",
      `{"model":"${MODEL}","stream":true,"metadata":${nested(5000)},"messages":[{"role":"user","content":"hi"}]}`,
    ],
    [
      "tools",
      chatCompletions,
      "/v1/chat/completions",
      `{"model":"${MODEL}","tools":[${nested(5000)}],"messages":[{"role":"user","content":"hi"}]}`,
    ],
  ] as const)("5,000 levels in the %s are a 400, nothing reserved", async (_what, fn, path, raw) => {
    const u = await makeUser({ quota: 1_000_000n });
    const key = await makeKey(u.id);
    const res = await post(fn, path, key.key, raw);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "nesting_too_deep", type: "invalid_request_error" });
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(0);
  });

  it("nesting within the limit is served", async () => {
    const u = await makeUser({ quota: 1_000_000n });
    const key = await makeKey(u.id);
    const res = await post(
      chatCompletions,
      "/v1/chat/completions",
      key.key,
      `{"model":"${MODEL}","metadata":${nested(100)},"messages":[{"role":"user","content":"hi"}]}`,
    );
    expect(res.status).toBe(200);
    await settlesIdle();
  });
});

describe("NUL characters", () => {
  it("a model name with NUL is a 400 naming the model", async () => {
    const u = await makeUser({ quota: 1_000_000n });
    const key = await makeKey(u.id);
    const res = await post(chatCompletions, "/v1/chat/completions", key.key, {
      model: `${MODEL}\u0000`,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({
      code: "invalid_value",
      param: "model",
      message: expect.stringContaining("NUL"),
    });
  });
});
