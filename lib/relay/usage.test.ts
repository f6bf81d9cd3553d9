import { describe, expect, it } from "vitest";
import { computeQuota, resolvePricing } from "@/lib/quota/pricing";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { anthropicUsage, mergeAnthropicUsage, parseUsage, responsesUsage, uncachedInput } from "./usage";

describe("parseUsage", () => {
  it.each([
    [
      { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      { promptTokens: 10, completionTokens: 5, cachedTokens: 0 },
    ],
    [
      { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 8 } },
      { promptTokens: 10, completionTokens: 5, cachedTokens: 8 },
    ],
    // embeddings: prompt and total only
    [
      { prompt_tokens: 7, total_tokens: 7 },
      { promptTokens: 7, completionTokens: 0, cachedTokens: 0 },
    ],
    // Responses-style names
    [
      { input_tokens: 4, output_tokens: 2, input_tokens_details: { cached_tokens: 1 } },
      { promptTokens: 4, completionTokens: 2, cachedTokens: 1 },
    ],
    // cached can never exceed prompt
    [
      { prompt_tokens: 3, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 9 } },
      { promptTokens: 3, completionTokens: 0, cachedTokens: 3 },
    ],
    [
      { prompt_tokens: 2.9, completion_tokens: 1.2 },
      { promptTokens: 2, completionTokens: 1, cachedTokens: 0 },
    ],
  ])("%j", (raw, expected) => expect(parseUsage(raw)).toEqual(expected));

  it.each([[null], [undefined], ["x"], [{}], [{ prompt_tokens: -1 }], [{ prompt_tokens: "5" }]])(
    "%j -> null",
    (raw) => {
      expect(parseUsage(raw)).toBeNull();
    },
  );
});

// Golden records: what each dialect reports, the one record it becomes. The input of the record is
// inclusive (cache reads and writes are parts of promptTokens) whatever the dialect said.
describe("one record per dialect (golden)", () => {
  it("chat completions: cached_tokens inside prompt_tokens, reasoning inside completion_tokens", () => {
    const u = parseUsage({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0 },
    });
    expect(u).toEqual({ promptTokens: 2006, completionTokens: 300, cachedTokens: 1920, reasoningTokens: 192 });
    expect(uncachedInput(u!)).toBe(86);
  });

  it("responses: input_tokens_details and output_tokens_details, hosted tool calls from the output items", () => {
    const u = responsesUsage({
      id: "resp_1",
      object: "response",
      status: "completed",
      output: [
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "web_search_call", id: "ws_1", status: "completed" },
        { type: "web_search_call", id: "ws_2", status: "completed" },
        { type: "code_interpreter_call", id: "ci_1", status: "completed" },
        { type: "image_generation_call", id: "ig_1", status: "completed" },
        { type: "file_search_call", id: "fs_1", status: "completed" },
        { type: "function_call", id: "fc_1", name: "shell", arguments: "{}" },
        { type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "Done." }] },
      ],
      usage: {
        input_tokens: 5000,
        input_tokens_details: { cached_tokens: 4096 },
        output_tokens: 900,
        output_tokens_details: { reasoning_tokens: 640 },
        total_tokens: 5900,
      },
    });
    expect(u).toEqual({
      promptTokens: 5000,
      completionTokens: 900,
      cachedTokens: 4096,
      reasoningTokens: 640,
      toolCalls: { web_search: 2, code_interpreter: 1, image_generation: 1, file_search: 1 },
    });
    // a response without usage (an early event) has none
    expect(responsesUsage({ id: "resp_1", usage: null })).toBeNull();
  });

  it("messages: input_tokens EXCLUDE cache reads and writes; the writes split by TTL", () => {
    const u = anthropicUsage({
      input_tokens: 50,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      output_tokens: 400,
      server_tool_use: { web_search_requests: 2 },
      service_tier: "standard",
    });
    expect(u).toEqual({
      promptTokens: 1350,
      completionTokens: 400,
      cachedTokens: 1000,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 200,
      toolCalls: { web_search: 2 },
    });
    expect(uncachedInput(u!)).toBe(50);
  });

  it("messages: a write without its TTL split is a 5-minute write (the default TTL)", () => {
    expect(anthropicUsage({ input_tokens: 10, cache_creation_input_tokens: 40, output_tokens: 2 })).toEqual({
      promptTokens: 50,
      completionTokens: 2,
      cachedTokens: 0,
      cacheWrite5mTokens: 40,
    });
    expect(anthropicUsage({ output_tokens: "x" })).toBeNull();
    expect(anthropicUsage(null)).toBeNull();
  });

  it("messages stream: message_delta's cumulative counts over message_start's", () => {
    const start = {
      input_tokens: 472,
      cache_read_input_tokens: 9000,
      cache_creation_input_tokens: 0,
      output_tokens: 2,
    };
    const merged = mergeAnthropicUsage(mergeAnthropicUsage(null, start), { output_tokens: 89 });
    expect(anthropicUsage(merged)).toEqual({ promptTokens: 9472, completionTokens: 89, cachedTokens: 9000 });
  });

  it("the same tokens cost the same whichever dialect reported them", () => {
    const o = { ...OPTION_DEFAULTS, ModelRatio: { m: 1.5 }, CompletionRatio: { m: 5 }, CacheRatio: { m: 0.1 } };
    const p = resolvePricing(o, { model: "m", userGroup: "default", usingGroup: "default" });
    const viaOpenAi = parseUsage({
      input_tokens: 1050,
      input_tokens_details: { cached_tokens: 1000 },
      output_tokens: 400,
    });
    const viaAnthropic = anthropicUsage({ input_tokens: 50, cache_read_input_tokens: 1000, output_tokens: 400 });
    // (50 + 1000 × 0.1 + 400 × 5) × 1.5 = 3225
    expect(computeQuota(p, viaOpenAi!)).toBe(3225n);
    expect(computeQuota(p, viaAnthropic!)).toBe(3225n);
  });
});
