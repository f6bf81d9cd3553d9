import { expect, test } from "@playwright/test";
import { CLAUDE_MODEL, claudeCodeBody, claudeCodeRequest, claudeCodeStream } from "../support/fixtures/claude-code";
import { CODEX_MODEL, codexTurn1Body, codexTurn1Request, codexTurn1Stream } from "../support/fixtures/codex-cli";
import { MockDialects } from "../support/mock-dialects";
import { anthropic, openai } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// The official clients, unmodified, against Tollgate: openai's responses.create and
// @anthropic-ai/sdk's messages.create, stream and not, over mock upstreams that replay a Codex CLI
// and a Claude Code turn. The charges are the formula with the built-in prices, worked by hand:
//   gpt-5-codex: (5321 − 4864 + 4864 × 0.1 + 412 × 8) × 0.625 + 1 web search × 5000 = 7649.625 → 7650
//   claude-sonnet-4-5: (12 + 18000 × 0.1 + 1024 × 1.25 + 1024 × 2 + 187 × 5) × 1.5 + 5000 = 14112.5 → 14113

const CODEX_CHARGE = 7650n;
const CLAUDE_CHARGE = 14113n;

const seed = Seed.forSpec();
let OPENAI: MockDialects;
let ANTHROPIC: MockDialects;
let userId: number;
let key: { id: number; key: string };

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  OPENAI = await MockDialects.start();
  ANTHROPIC = await MockDialects.start();
  await seed.createChannel({ name: "codex", baseUrl: `${OPENAI.url}/v1`, models: [CODEX_MODEL] });
  await seed.createChannel({ name: "claude", baseUrl: ANTHROPIC.url, models: [CLAUDE_MODEL], dialect: "anthropic" });
  userId = (await seed.createUser({ quota: 4n * QUOTA_PER_USD })).id;
  key = await seed.createKey(userId);
});

test.beforeEach(() => {
  OPENAI.reset();
  ANTHROPIC.reset();
});

test.afterAll(async () => {
  await OPENAI.close();
  await ANTHROPIC.close();
  await seed.close();
});

test("openai responses.create, non-stream: the answer as the client types it, billed by its usage", async () => {
  OPENAI.on("POST /v1/responses", { json: codexTurn1Body });
  const before = await seed.balances(userId, key.id);
  const { stream: _s, ...request } = codexTurn1Request;
  const { data, response } = await openai(key.key)
    .responses.create(request as Parameters<ReturnType<typeof openai>["responses"]["create"]>[0] & { stream?: false })
    .withResponse();
  expect(data.id).toBe("resp_codex_1");
  expect(data.output.map((o) => o.type)).toEqual(["reasoning", "web_search_call", "function_call"]);
  expect(data.usage?.input_tokens_details.cached_tokens).toBe(4864);
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CODEX_CHARGE, prompt_tokens: 5321, completion_tokens: 412, is_stream: false });
  expect(log!.other).toMatchObject({ reasoning_tokens: 320, tool_calls: { web_search: 1 } });
  expect(before.quota - (await seed.balances(userId, key.id)).quota).toBe(CODEX_CHARGE);
});

test("openai responses.create, stream: every event (an unknown one too), then billed", async () => {
  OPENAI.on("POST /v1/responses", { stream: codexTurn1Stream });
  const { data: stream, response } = await openai(key.key)
    .responses.create({ ...(codexTurn1Request as object), stream: true } as Parameters<
      ReturnType<typeof openai>["responses"]["create"]
    >[0] & { stream: true })
    .withResponse();
  const types: string[] = [];
  let completed: { usage?: { output_tokens: number } | null } | null = null;
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === "response.completed") completed = ev.response;
  }
  expect(types).toEqual(codexTurn1Stream.map((e) => (e.data as { type: string }).type));
  expect(completed?.usage?.output_tokens).toBe(412);
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CODEX_CHARGE, is_stream: true });
});

test("anthropic messages.create, non-stream: the message as the client types it, billed for every cache class", async () => {
  ANTHROPIC.on("POST /v1/messages", { json: claudeCodeBody });
  const { stream: _s, ...request } = claudeCodeRequest;
  const { data, response } = await anthropic(key.key)
    .messages.create(request as Parameters<ReturnType<typeof anthropic>["messages"]["create"]>[0] & { stream?: false })
    .withResponse();
  expect(data.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
  expect(data.usage.cache_read_input_tokens).toBe(18000);
  // the client put the key in x-api-key and its version header; the channel's key went upstream
  const up = ANTHROPIC.requests[0];
  expect(up.headers["x-api-key"]).toBe("sk-claude-upstream-secret");
  // the client's own version header, passed on (Tollgate sets none of its own)
  expect(up.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CLAUDE_CHARGE, prompt_tokens: 20060, completion_tokens: 187 });
  expect(log!.other).toMatchObject({ cache_write_5m_tokens: 1024, cache_write_1h_tokens: 1024, cache_tokens: 18000 });
});

test("anthropic messages.create, stream: the events and the final usage, then billed", async () => {
  ANTHROPIC.on("POST /v1/messages", { stream: claudeCodeStream });
  const { data: stream, response } = await anthropic(key.key)
    .messages.create({ ...(claudeCodeRequest as object), stream: true } as Parameters<
      ReturnType<typeof anthropic>["messages"]["create"]
    >[0] & { stream: true })
    .withResponse();
  const types: string[] = [];
  let output = 0;
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === "message_delta") output = ev.usage.output_tokens;
  }
  expect(types[0]).toBe("message_start");
  expect(types[types.length - 1]).toBe("message_stop");
  expect(output).toBe(187);
  const { log } = await seed.finished(response.headers.get("x-request-id")!);
  expect(log).toMatchObject({ quota: CLAUDE_CHARGE, is_stream: true });
});

test("anthropic client errors are Anthropic's: a bad key is an AuthenticationError, an unknown model a 503", async () => {
  const bad = await anthropic("not-an-sk-key")
    .messages.create({ model: CLAUDE_MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
    .catch((e: unknown) => e);
  expect(bad).toMatchObject({ status: 401, error: { type: "error", error: { type: "authentication_error" } } });
  const unserved = await anthropic(key.key)
    .messages.create({ model: CODEX_MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
    .catch((e: unknown) => e);
  expect(unserved).toMatchObject({ status: 503, error: { type: "error", error: { type: "overloaded_error" } } });
  expect(OPENAI.requests).toHaveLength(0);
  expect(await seed.audit(userId)).toEqual([]);
});
