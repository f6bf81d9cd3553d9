// The OpenAI Responses and Anthropic Messages dialects through the relay's route table, against a
// real database and mock upstreams on 127.0.0.1 that replay a Codex CLI and a Claude Code session
// (e2e/support/fixtures). Every charge is checked against the formula worked out by hand in
// integers with the built-in prices (QuotaPerUnit 500000, group ratio 1):
//   gpt-5-codex:       ratio 0.625, completion 8, cache read 0.1, web search $10 / 1,000 calls
//   claude-sonnet-4-5: ratio 1.5, completion 5, cache read 0.1, cache write 1.25 (5 min) / 2 (1 h),
//                      web search $10 / 1,000 calls
process.env.RELAY_MAX_BODY_BYTES = "65536";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChannel } from "@/lib/channels/service";
import { db } from "@/lib/db";
import { auditLedger } from "@/lib/quota/audit";
import { settlesIdle } from "@/lib/quota/settle-queue";
import { MockDialects, sseText } from "@/e2e/support/mock-dialects";
import {
  CLAUDE_CODE_HEADERS,
  CLAUDE_MODEL,
  claudeCodeBody,
  claudeCodeRequest,
  claudeCodeStream,
  claudeCountTokensBody,
} from "@/e2e/support/fixtures/claude-code";
import {
  CODEX_MODEL,
  codexCompactBody,
  codexCompactRequest,
  codexTurn1Body,
  codexTurn1Request,
  codexTurn1Stream,
  codexTurn2Request,
} from "@/e2e/support/fixtures/codex-cli";
import { makeKey, makeUser } from "@/tests/factories";
import { rememberResponse } from "./response-routes";
import { routeRelay } from "./routes";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

const QPU = 500_000n;
/** num / den rounded half away from zero (both positive) */
const roundHalfUp = (num: bigint, den: bigint) => (2n * num + den) / (2n * den);
/** a web search call: $10 / 1,000 × 500,000 */
const WEB_SEARCH = 5000n;

/** gpt-5-codex in tenths of a token: ((in − cached) × 10 + cached + out × 80) × 0.625 / 10 */
const codexQuota = (input: number, cached: number, output: number, webSearches = 0) =>
  roundHalfUp(BigInt((input - cached) * 10 + cached + output * 80) * 5n + BigInt(webSearches) * WEB_SEARCH * 80n, 80n);

/** claude-sonnet-4-5 in hundredths: (in × 100 + read × 10 + w5m × 125 + w1h × 200 + out × 500) × 1.5 / 100 */
const claudeQuota = (input: number, read: number, w5m: number, w1h: number, output: number, webSearches = 0) =>
  roundHalfUp(
    BigInt(input * 100 + read * 10 + w5m * 125 + w1h * 200 + output * 500) * 3n +
      BigInt(webSearches) * WEB_SEARCH * 200n,
    200n,
  );

let OPENAI: MockDialects;
let OPENAI_B: MockDialects;
let ANTHROPIC: MockDialects;
let openaiChannel: number;
let openaiChannelB: number;
let anthropicChannel: number;
let userId: number;
let KEY: string;
let otherUserId: number;

async function send(
  path: string,
  body: unknown,
  o: {
    method?: string;
    headers?: Record<string, string>;
    raw?: string;
    auth?: "bearer" | "x-api-key" | "none";
    key?: string;
  } = {},
) {
  const headers = new Headers({ "content-type": "application/json", ...o.headers });
  const key = o.key ?? KEY;
  if ((o.auth ?? "bearer") === "bearer") headers.set("authorization", `Bearer ${key}`);
  else if (o.auth === "x-api-key") headers.set("x-api-key", key);
  const method = o.method ?? "POST";
  const req = new Request(`http://tollgate.test${path}`, {
    method,
    headers,
    body: method === "GET" || method === "DELETE" ? undefined : (o.raw ?? JSON.stringify(body)),
  });
  return routeRelay(req, { clientIp: "127.0.0.1" });
}

async function logOf(res: Response) {
  await settlesIdle();
  return db.log.findFirstOrThrow({ where: { requestId: res.headers.get("x-request-id")!, type: 2 } });
}

const quotaOf = async () => (await db.user.findUniqueOrThrow({ where: { id: userId } })).quota;

auditLedgerAfterEach();

beforeAll(async () => {
  OPENAI = await MockDialects.start();
  OPENAI_B = await MockDialects.start();
  ANTHROPIC = await MockDialects.start();
  openaiChannel = (
    await createChannel({
      name: "openai",
      baseUrl: `${OPENAI.url}/v1`,
      key: "sk-openai-channel-secret",
      models: [CODEX_MODEL],
      priority: 10,
    })
  ).id;
  openaiChannelB = (
    await createChannel({
      name: "openai-b",
      baseUrl: OPENAI_B.url,
      key: "sk-openai-b",
      models: [CODEX_MODEL],
      priority: 0,
    })
  ).id;
  anthropicChannel = (
    await createChannel({
      name: "anthropic",
      baseUrl: ANTHROPIC.url,
      key: "sk-ant-channel-secret",
      models: [CLAUDE_MODEL],
      dialect: "anthropic",
    })
  ).id;
  userId = (await makeUser({ quota: 100n * QPU })).id;
  KEY = (await makeKey(userId)).key;
  otherUserId = (await makeUser({ quota: 10n * QPU })).id;
});

afterAll(async () => {
  await settlesIdle();
  await Promise.all([OPENAI.close(), OPENAI_B.close(), ANTHROPIC.close()]);
});

beforeEach(() => {
  OPENAI.reset();
  OPENAI_B.reset();
  ANTHROPIC.reset();
});

describe("OpenAI Responses API (a Codex CLI session)", () => {
  it("streams the session byte for byte, unknown events too, and bills cached input, reasoning output and the web search", async () => {
    OPENAI.on("POST /v1/responses", { stream: codexTurn1Stream });
    const before = await quotaOf();
    const res = await send("/v1/responses", codexTurn1Request);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(await res.text()).toBe(sseText(codexTurn1Stream));

    const log = await logOf(res);
    // (5321 − 4864 + 4864 × 0.1 + 412 × 8) × 0.625 + 1 × 5000 = 7649.625
    expect(codexQuota(5321, 4864, 412, 1)).toBe(7650n);
    expect(log).toMatchObject({
      quota: 7650n,
      promptTokens: 5321,
      completionTokens: 412,
      channelId: openaiChannel,
      isStream: true,
    });
    expect(log.other).toMatchObject({
      usage_source: "upstream",
      cache_tokens: 4864,
      reasoning_tokens: 320,
      tool_calls: { web_search: 1 },
      tool_prices: { web_search: 10 },
      cache_ratio: 0.1,
      request_path: "/v1/responses",
      stream_status: { status: "ok", end_reason: "done" },
    });
    expect(before - (await quotaOf())).toBe(7650n);

    // the body went up untouched (unknown fields, item types and all) with the channel's key
    const up = OPENAI.requests[0];
    expect(up).toMatchObject({ method: "POST", url: "/v1/responses" });
    expect(up.headers.authorization).toBe("Bearer sk-openai-channel-secret");
    expect(up.body).toEqual(codexTurn1Request);
    // the response id is remembered with its channel and its user
    expect(await db.responseRoute.findUnique({ where: { responseId: "resp_codex_1" } })).toMatchObject({
      channelId: openaiChannel,
      userId,
    });
  });

  it("answers a non-stream request whole and bills it from the body", async () => {
    OPENAI.on("POST /v1/responses", { json: codexTurn1Body });
    const res = await send("/v1/responses", { ...codexTurn2Request, stream: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(codexTurn1Body);
    const log = await logOf(res);
    expect(log.quota).toBe(codexQuota(5321, 4864, 412, 1));
    expect(log.isStream).toBe(false);
    expect(OPENAI.requests[0].body).toEqual({ ...codexTurn2Request, stream: false });
  });

  it("previous_response_id goes to the channel that made the response, even below the top priority", async () => {
    await rememberResponse("resp_on_b", openaiChannelB, userId);
    OPENAI_B.on("POST /v1/responses", { json: codexTurn1Body });
    OPENAI.on("POST /v1/responses", { status: 500 });
    const res = await send("/v1/responses", {
      model: CODEX_MODEL,
      previous_response_id: "resp_on_b",
      input: [{ type: "function_call_output", call_id: "call_codex_1", output: "ok" }],
    });
    expect(res.status).toBe(200);
    expect(OPENAI.requests).toHaveLength(0);
    expect(OPENAI_B.requests[0].body).toMatchObject({ previous_response_id: "resp_on_b" });
    expect((await logOf(res)).channelId).toBe(openaiChannelB);

    // another user's response, or one Tollgate never made: 404, nothing sent, nothing held
    await rememberResponse("resp_of_other", openaiChannelB, otherUserId);
    for (const id of ["resp_of_other", "resp_unknown"]) {
      const r = await send("/v1/responses", { model: CODEX_MODEL, previous_response_id: id, input: "hi" });
      expect(r.status).toBe(404);
      expect((await r.json()).error).toMatchObject({ code: "response_not_found", param: "previous_response_id" });
    }
    expect(OPENAI_B.requests).toHaveLength(1);
  });

  it("GET, DELETE and input_items of a stored response reach its channel, for its user only, unbilled", async () => {
    await rememberResponse("resp_stored", openaiChannelB, userId);
    await rememberResponse("resp_someone_elses", openaiChannelB, otherUserId);
    OPENAI_B.on("GET /v1/responses/resp_stored", { json: { ...codexTurn1Body, id: "resp_stored" } });
    OPENAI_B.on("GET /v1/responses/resp_stored/input_items", { json: { object: "list", data: [] } });
    OPENAI_B.on("DELETE /v1/responses/resp_stored", { json: { id: "resp_stored", object: "response", deleted: true } });
    const before = await quotaOf();

    const got = await send("/v1/responses/resp_stored?include[]=reasoning.encrypted_content", null, { method: "GET" });
    expect(got.status).toBe(200);
    expect((await got.json()).id).toBe("resp_stored");
    const items = await send("/v1/responses/resp_stored/input_items", null, { method: "GET" });
    expect(await items.json()).toEqual({ object: "list", data: [] });
    const deleted = await send("/v1/responses/resp_stored", null, { method: "DELETE" });
    expect(await deleted.json()).toMatchObject({ deleted: true });
    expect(OPENAI_B.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /v1/responses/resp_stored?include[]=reasoning.encrypted_content",
      "GET /v1/responses/resp_stored/input_items",
      "DELETE /v1/responses/resp_stored",
    ]);
    expect(OPENAI_B.requests[0].headers.authorization).toBe("Bearer sk-openai-b");

    const foreign = await send("/v1/responses/resp_someone_elses", null, { method: "GET" });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe("response_not_found");
    expect(OPENAI_B.requests).toHaveLength(3);
    const wrongMethod = await send("/v1/responses/resp_stored/input_items", {}, { method: "POST" });
    expect(wrongMethod.status).toBe(405);
    await settlesIdle();
    expect(await quotaOf()).toBe(before);
  });

  it("bills a compaction from its body", async () => {
    OPENAI.on("POST /v1/responses/compact", { json: codexCompactBody });
    const res = await send("/v1/responses/compact", codexCompactRequest);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(codexCompactBody);
    const log = await logOf(res);
    expect(log.quota).toBe(codexQuota(6100, 5120, 850));
    expect(log.other).toMatchObject({ request_path: "/v1/responses/compact", cache_tokens: 5120 });
    expect(OPENAI.requests[0]).toMatchObject({ url: "/v1/responses/compact", body: codexCompactRequest });
  });

  it("a stream's response id is stored as soon as response.created passes, even if the client then leaves", async () => {
    OPENAI.on("POST /v1/responses", {
      stream: codexTurn1Stream.map((e) => ({
        ...e,
        data: JSON.parse(JSON.stringify(e.data).replaceAll("resp_codex_1", "resp_codex_left")),
      })),
      cutAfter: 3,
    });
    const ctrl = new AbortController();
    const req = new Request("http://tollgate.test/v1/responses", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify(codexTurn1Request),
      signal: ctrl.signal,
    });
    const res = await routeRelay(req, { clientIp: "127.0.0.1" });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("response.output_item.added")) seen += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    await reader.cancel().catch(() => {});
    const log = await logOf(res);
    expect(log.other).toMatchObject({ stream_status: { end_reason: "client_disconnect" } });
    expect(await db.responseRoute.findUnique({ where: { responseId: "resp_codex_left" } })).toMatchObject({
      channelId: openaiChannel,
    });
  });

  it("a stream that ends without response.completed is counted locally and marked", async () => {
    OPENAI.on("POST /v1/responses", { stream: codexTurn1Stream.slice(0, -1) });
    const res = await send("/v1/responses", codexTurn1Request);
    await res.text();
    const log = await logOf(res);
    expect(log.other).toMatchObject({
      usage_source: "local_count",
      stream_status: { status: "error", end_reason: "eof_without_done" },
      admin_info: { local_count_tokens: true },
    });
    // the reasoning summary and the function call arguments were served
    expect(log.completionTokens).toBeGreaterThan(10);
    expect(log.promptTokens).toBeGreaterThan(50);
    expect(log.quota).toBeGreaterThan(0n);
  });
});

describe("Anthropic Messages API (a Claude Code session)", () => {
  it("streams with x-api-key, passes the version, beta flags and query on, and bills every cache class", async () => {
    ANTHROPIC.on("POST /v1/messages", { stream: claudeCodeStream });
    const res = await send("/v1/messages?beta=true", claudeCodeRequest, {
      auth: "x-api-key",
      headers: CLAUDE_CODE_HEADERS,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(sseText(claudeCodeStream));

    const up = ANTHROPIC.requests[0];
    expect(up.url).toBe("/v1/messages?beta=true");
    expect(up.headers["x-api-key"]).toBe("sk-ant-channel-secret");
    expect(up.headers.authorization).toBeUndefined();
    expect(up.headers["anthropic-version"]).toBe(CLAUDE_CODE_HEADERS["anthropic-version"]);
    expect(up.headers["anthropic-beta"]).toBe(CLAUDE_CODE_HEADERS["anthropic-beta"]);
    expect(up.body).toEqual(claudeCodeRequest);

    const log = await logOf(res);
    // (12 + 18000 × 0.1 + 1024 × 1.25 + 1024 × 2 + 187 × 5) × 1.5 + 5000 = 14112.5
    expect(claudeQuota(12, 18000, 1024, 1024, 187, 1)).toBe(14113n);
    // input is stored inclusive: 12 + 18000 + 2048
    expect(log).toMatchObject({
      quota: 14113n,
      promptTokens: 20060,
      completionTokens: 187,
      channelId: anthropicChannel,
    });
    expect(log.other).toMatchObject({
      usage_source: "upstream",
      cache_tokens: 18000,
      cache_write_5m_tokens: 1024,
      cache_write_1h_tokens: 1024,
      cache_write_5m_ratio: 1.25,
      cache_write_1h_ratio: 2,
      tool_calls: { web_search: 1 },
      request_path: "/v1/messages",
      stream_status: { status: "ok", end_reason: "done" },
    });
  });

  it("answers a non-stream request with the key in Authorization: Bearer", async () => {
    ANTHROPIC.on("POST /v1/messages", { json: claudeCodeBody });
    const res = await send("/v1/messages", { ...claudeCodeRequest, stream: false }, { headers: CLAUDE_CODE_HEADERS });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(claudeCodeBody);
    expect((await logOf(res)).quota).toBe(claudeQuota(12, 18000, 1024, 1024, 187, 1));
  });

  it("an answer without usage is counted here; an image of the prompt is estimated at its documented size, and marked", async () => {
    ANTHROPIC.on("POST /v1/messages", {
      json: {
        id: "msg_nousage",
        type: "message",
        role: "assistant",
        content: [{ type: "text", text: "A cat on a mat." }],
      },
    });
    const res = await send(
      "/v1/messages",
      {
        model: CLAUDE_MODEL,
        max_tokens: 100,
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              { type: "text", text: "What is this?" },
            ],
          },
        ],
      },
      { auth: "x-api-key", headers: CLAUDE_CODE_HEADERS },
    );
    expect(res.status).toBe(200);
    const log = await logOf(res);
    expect(log.other).toMatchObject({ usage_source: "local_count", prompt_estimated_blocks: 1 });
    expect(log.content).toContain("1 image(s) or document(s) of the prompt estimated at a fixed size");
    // 1,600 for the image, the text and the per-message overhead on top
    expect(log.promptTokens).toBeGreaterThan(1600);
    expect(log.promptTokens).toBeLessThan(1700);
    expect(log.completionTokens).toBeGreaterThan(0);
    expect(log.quota).toBe(claudeQuota(log.promptTokens, 0, 0, 0, log.completionTokens));
  });

  it("counts tokens through a channel of the model, unbilled", async () => {
    ANTHROPIC.on("POST /v1/messages/count_tokens", { json: claudeCountTokensBody });
    const before = await quotaOf();
    const { stream: _stream, max_tokens: _max, ...countBody } = claudeCodeRequest;
    const res = await send("/v1/messages/count_tokens", countBody, { auth: "x-api-key", headers: CLAUDE_CODE_HEADERS });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(claudeCountTokensBody);
    expect(ANTHROPIC.requests[0].headers["anthropic-beta"]).toBe(CLAUDE_CODE_HEADERS["anthropic-beta"]);
    await settlesIdle();
    expect(await quotaOf()).toBe(before);
    expect(await db.reservation.count({ where: { requestId: res.headers.get("x-request-id")! } })).toBe(0);
  });

  it("a client that leaves mid-stream pays the input the upstream reported and the output it was served", async () => {
    // message_start, the thinking block and the text are served; then the upstream stalls
    ANTHROPIC.on("POST /v1/messages", { stream: claudeCodeStream, cutAfter: 10 });
    const ctrl = new AbortController();
    const headers = new Headers({ "content-type": "application/json", "x-api-key": KEY, ...CLAUDE_CODE_HEADERS });
    const req = new Request("http://tollgate.test/v1/messages", {
      method: "POST",
      headers,
      body: JSON.stringify(claudeCodeRequest),
      signal: ctrl.signal,
    });
    const res = await routeRelay(req, { clientIp: "127.0.0.1" });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("I'll list the files.")) seen += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    await reader.cancel().catch(() => {});
    const log = await logOf(res);
    expect(log.other).toMatchObject({
      usage_source: "local_count",
      cache_tokens: 18000,
      cache_write_5m_tokens: 1024,
      cache_write_1h_tokens: 1024,
      stream_status: { end_reason: "client_disconnect" },
    });
    expect(log.promptTokens).toBe(20060);
    // the thinking and the text served, counted here (more than message_start's 3)
    expect(log.completionTokens).toBeGreaterThan(3);
    expect(log.quota).toBe(claudeQuota(12, 18000, 1024, 1024, log.completionTokens));
    await new Promise((r) => setTimeout(r, 100));
    expect(ANTHROPIC.disconnects).toBe(1);
  });

  it("GET /v1/models answers in Anthropic's shape with anthropic-version, listing Anthropic channels' models", async () => {
    const anthropic = await send("/v1/models", null, {
      method: "GET",
      auth: "x-api-key",
      headers: CLAUDE_CODE_HEADERS,
    });
    expect(await anthropic.json()).toEqual({
      data: [{ type: "model", id: CLAUDE_MODEL, display_name: CLAUDE_MODEL, created_at: "2021-07-20T10:40:00.000Z" }],
      has_more: false,
      first_id: CLAUDE_MODEL,
      last_id: CLAUDE_MODEL,
    });
    const one = await send(`/v1/models/${CLAUDE_MODEL}`, null, { method: "GET", headers: CLAUDE_CODE_HEADERS });
    expect(await one.json()).toMatchObject({ type: "model", id: CLAUDE_MODEL });
    const openai = await send("/v1/models", null, { method: "GET" });
    expect((await openai.json()).data.map((m: { id: string }) => m.id)).toEqual([CODEX_MODEL]);
    const missing = await send("/v1/models/gpt-5-codex", null, { method: "GET", headers: CLAUDE_CODE_HEADERS });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });
});

describe("bad input: each dialect's own error shape, nothing charged", () => {
  const anthropicError = async (res: Response, status: number, type: string) => {
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body).toMatchObject({ type: "error", error: { type } });
    expect(typeof body.error.message).toBe("string");
    expect(body.error.code).toBeUndefined();
    return body;
  };
  const openAiError = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error).toMatchObject({ code });
    return body;
  };

  it("messages: malformed JSON, missing fields, wrong types → 400 invalid_request_error", async () => {
    await anthropicError(
      await send("/v1/messages", null, { raw: "{not json", auth: "x-api-key" }),
      400,
      "invalid_request_error",
    );
    const noMax = await anthropicError(
      await send(
        "/v1/messages",
        { model: CLAUDE_MODEL, messages: [{ role: "user", content: "hi" }] },
        { auth: "x-api-key" },
      ),
      400,
      "invalid_request_error",
    );
    expect(noMax.error.message).toContain("max_tokens");
    await anthropicError(
      await send("/v1/messages", { model: CLAUDE_MODEL, max_tokens: 10, messages: "hi" }, { auth: "x-api-key" }),
      400,
      "invalid_request_error",
    );
    await anthropicError(
      await send(
        "/v1/messages",
        { model: CLAUDE_MODEL, max_tokens: 10, messages: [], system: 5 },
        { auth: "x-api-key" },
      ),
      400,
      "invalid_request_error",
    );
  });

  it("messages: a model no Anthropic channel serves → 503 in Anthropic's shape (an OpenAI channel does not count)", async () => {
    await anthropicError(
      await send(
        "/v1/messages",
        { model: CODEX_MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
        { auth: "x-api-key" },
      ),
      503,
      "overloaded_error",
    );
    expect(OPENAI.requests).toHaveLength(0);
  });

  it("messages: an oversized body → 413 request_too_large; an x-api-key that is not an sk- key → 401", async () => {
    const big = { model: CLAUDE_MODEL, max_tokens: 10, messages: [{ role: "user", content: "x".repeat(70_000) }] };
    await anthropicError(await send("/v1/messages", big, { auth: "x-api-key" }), 413, "request_too_large");
    await anthropicError(
      await send("/v1/messages", claudeCodeRequest, { auth: "x-api-key", key: "not-an-sk-key" }),
      401,
      "authentication_error",
    );
    await anthropicError(await send("/v1/messages", claudeCodeRequest, { auth: "none" }), 401, "authentication_error");
    await anthropicError(
      await send("/v1/messages/count_tokens", { model: CLAUDE_MODEL }, { auth: "x-api-key" }),
      400,
      "invalid_request_error",
    );
  });

  it("messages: an upstream 4xx reaches the client in Anthropic's shape, refunded", async () => {
    ANTHROPIC.on("POST /v1/messages", {
      status: 400,
      json: { type: "error", error: { type: "invalid_request_error", message: "messages: roles must alternate" } },
    });
    const body = await anthropicError(
      await send("/v1/messages", { ...claudeCodeRequest, stream: false }, { auth: "x-api-key" }),
      400,
      "invalid_request_error",
    );
    expect(body.error.message).toContain("roles must alternate");
  });

  it("responses: malformed bodies → OpenAI's 400; a model only an Anthropic channel serves → 503; oversized → 413", async () => {
    await openAiError(await send("/v1/responses", null, { raw: "[1,2" }), 400, "invalid_json");
    await openAiError(await send("/v1/responses", { input: "hi" }), 400, "missing_model");
    await openAiError(await send("/v1/responses", { model: CODEX_MODEL, input: 42 }), 400, "invalid_type");
    await openAiError(
      await send("/v1/responses", { model: CODEX_MODEL, input: "hi", max_output_tokens: -1 }),
      400,
      "invalid_type",
    );
    await openAiError(await send("/v1/responses", { model: CLAUDE_MODEL, input: "hi" }), 503, "model_not_found");
    // a background response could not be billed: refused, not served free
    const bg = await openAiError(
      await send("/v1/responses", { model: CODEX_MODEL, input: "hi", background: true }),
      400,
      "unsupported_parameter",
    );
    expect(bg.error.param).toBe("background");
    await openAiError(
      await send("/v1/responses", { model: CODEX_MODEL, input: "x".repeat(70_000) }),
      413,
      "request_too_large",
    );
    expect(ANTHROPIC.requests).toHaveLength(0);
  });

  it("none of it reserved or charged anything, and the ledger holds", async () => {
    await settlesIdle();
    const open = await db.reservation.count({ where: { status: 1 } });
    expect(open).toBe(0);
    expect((await auditLedger()).differences).toEqual([]);
  });
});
