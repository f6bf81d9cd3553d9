import { describe, expect, it } from "vitest";
import { OPTION_DEFAULTS, type Options } from "@/lib/options/schemas";
import {
  computeQuota,
  estimateQuota,
  FALLBACK_MODEL_RATIO,
  pricingFromLogFields,
  pricingLogFields,
  resolvePricing,
} from "./pricing";
import { MAX_QUOTA } from "./schemas";

// Expected integers are worked out by hand from new-api's formulas (QuotaPerUnit 500000).
const opts = (over: Partial<Options> = {}): Options => ({ ...OPTION_DEFAULTS, ...over });
const price = (model: string, over: Partial<Options> = {}, userGroup = "default", usingGroup = "default") =>
  resolvePricing(opts(over), { model, userGroup, usingGroup });

describe("final charge (computeQuota)", () => {
  const cases: Array<[string, string, Partial<Options>, number, number, number, bigint]> = [
    // label, model, options, prompt, completion, cached, expected
    ["gpt-4o: (1000 + 500×4) × 1.25", "gpt-4o", {}, 1000, 500, 0, 3750n],
    ["gpt-4o cached: (600 + 400×0.5 + 100×4) × 1.25", "gpt-4o", {}, 1000, 100, 400, 1500n],
    ["gpt-4o-mini: (10 + 3×4) × 0.075 = 1.65 → 2", "gpt-4o-mini", {}, 10, 3, 0, 2n],
    ["gpt-4o-mini: 10 × 0.075 = 0.75 → 1", "gpt-4o-mini", {}, 10, 0, 0, 1n],
    ["minimum 1: 2 × 0.075 = 0.15 → 0 → 1", "gpt-4o-mini", {}, 2, 0, 0, 1n],
    ["no tokens → 0", "gpt-4o", {}, 0, 0, 0, 0n],
    ["half away from zero: 2 × 0.25 = 0.5 → 1", "gpt-3.5-turbo", {}, 2, 0, 0, 1n],
    ["half away from zero: 10 × 0.25 = 2.5 → 3 (not banker's 2)", "gpt-3.5-turbo", {}, 10, 0, 0, 3n],
    ["completion ratio 3: (0 + 2×3) × 0.25 = 1.5 → 2", "gpt-3.5-turbo", {}, 0, 2, 0, 2n],
    ["claude-sonnet-4-5: (1000 + 200×5) × 1.5", "claude-sonnet-4-5", {}, 1000, 200, 0, 3000n],
    ["claude cache 0.1: (0 + 1000×0.1 + 0) × 1.5 = 150", "claude-sonnet-4-5", {}, 1000, 0, 1000, 150n],
    ["cached above prompt is clamped: (0 + 10×0.5) × 1.25 = 6.25 → 6", "gpt-4o", {}, 10, 0, 50, 6n],
    [
      "exact decimals: 150 × 0.3 × 0.7 = 31.5 → 32 (floats give 31.499…)",
      "m",
      { ModelRatio: { m: 0.3 }, GroupRatio: { default: 0.7 } },
      150,
      0,
      0,
      32n,
    ],
    ["group ratio 0 → ratio 0 → no minimum: 0", "gpt-4o", { GroupRatio: { default: 0 } }, 1000, 1000, 0, 0n],
    ["model ratio 0 (free model, checks on): 0", "m", { ModelRatio: { m: 0 } }, 1000, 1000, 0, 0n],
    ["large: 10M prompt × 7.5 (o1) = 75,000,000", "o1", {}, 10_000_000, 0, 0, 75_000_000n],
    ["price mode: dall-e-3 0.04 × 500000", "dall-e-3", {}, 1, 0, 0, 20_000n],
    ["price mode with 0 reported tokens: nothing served, nothing charged", "dall-e-3", {}, 0, 0, 0, 0n],
    ["price mode × group 0.8", "dall-e-3", { GroupRatio: { default: 0.8 } }, 10, 10, 0, 16_000n],
  ];
  it.each(cases)("%s", (_label, model, over, prompt, completion, cached, expected) => {
    expect(
      computeQuota(price(model, over), { promptTokens: prompt, completionTokens: completion, cachedTokens: cached }),
    ).toBe(expected);
  });

  it("uses GroupGroupRatio over GroupRatio", () => {
    const p = price(
      "gpt-4o",
      { GroupRatio: { default: 1, vip: 2 }, GroupGroupRatio: { default: { vip: 0.5 } } },
      "default",
      "vip",
    );
    expect(p.groupRatio).toBe(0.5);
    expect(p.userGroupRatio).toBe(0.5);
    // (1000) × 1.25 × 0.5 = 625
    expect(computeQuota(p, { promptTokens: 1000, completionTokens: 0 })).toBe(625n);
    const plain = price("gpt-4o", { GroupRatio: { default: 1, vip: 2 } }, "default", "vip");
    expect(plain.groupRatio).toBe(2);
    expect(plain.userGroupRatio).toBe(-1);
  });

  it("treats a group missing from GroupRatio as 1", () => {
    expect(price("gpt-4o", {}, "default", "nosuch").groupRatio).toBe(1);
  });
});

it("saturates at MAX_QUOTA instead of overflowing a bigint column", () => {
  const p = price("m", { ModelRatio: { m: 1e6 }, GroupRatio: { default: 1e6 } });
  expect(computeQuota(p, { promptTokens: 2_000_000_000, completionTokens: 0 })).toBe(MAX_QUOTA);
  expect(estimateQuota(p, { promptTokens: 0, maxTokens: Number.MAX_SAFE_INTEGER, preConsumedTokens: 500 })).toBe(
    MAX_QUOTA,
  );
});

describe("pre-charge estimate (estimateQuota)", () => {
  const cases: Array<[string, string, Partial<Options>, number, number | null, bigint]> = [
    ["gpt-4o: (max(100,500) + 1000) × 1.25", "gpt-4o", {}, 100, 1000, 1875n],
    ["gpt-4o: 800 × 1.25, no max_tokens", "gpt-4o", {}, 800, null, 1000n],
    ["completion ratio not applied; truncated: (500 + 7) × 0.075 = 38.025 → 38", "gpt-4o-mini", {}, 0, 7, 38n],
    ["× group ratio 1.5: 507 × 0.075 × 1.5 = 57.0375 → 57", "gpt-4o-mini", { GroupRatio: { default: 1.5 } }, 0, 7, 57n],
    ["truncates, never rounds up: 499 → (500 + 0) × 0.075 = 37.5 → 37", "gpt-4o-mini", {}, 499, 0, 37n],
    ["price mode: 0.04 × 500000 × 1", "dall-e-3", {}, 100, 100, 20_000n],
    ["PreConsumedQuota floor is an option", "gpt-4o", { PreConsumedQuota: 1000 }, 10, 0, 1250n],
  ];
  it.each(cases)("%s", (_label, model, over, prompt, maxTokens, expected) => {
    const o = opts(over);
    expect(
      estimateQuota(price(model, over), { promptTokens: prompt, maxTokens, preConsumedTokens: o.PreConsumedQuota }),
    ).toBe(expected);
  });
});

describe("free models and unpriced models", () => {
  it("a zero-priced model is free only when EnableFreeModelPreConsume is off", () => {
    expect(price("m", { ModelRatio: { m: 0 } }).free).toBe(false);
    const free = price("m", { ModelRatio: { m: 0 }, EnableFreeModelPreConsume: false });
    expect(free.free).toBe(true);
    expect(estimateQuota(free, { promptTokens: 100, maxTokens: 100, preConsumedTokens: 500 })).toBe(0n);
    expect(price("gpt-4o", { GroupRatio: { default: 0 }, EnableFreeModelPreConsume: false }).free).toBe(true);
    expect(price("p", { ModelPrice: { p: 0 }, EnableFreeModelPreConsume: false }).free).toBe(true);
    expect(price("gpt-4o", { EnableFreeModelPreConsume: false }).free).toBe(false);
  });

  it("refuses an unpriced model with 400 model_price_error", () => {
    expect(() => price("no-such-model")).toThrowError(
      expect.objectContaining({ code: "model_price_error", status: 400 }),
    );
  });

  it("prices an unpriced model at the fallback ratio in self-use mode or when the user accepts it", () => {
    expect(price("no-such-model", { SelfUseModeEnabled: true }).modelRatio).toBe(FALLBACK_MODEL_RATIO);
    const p = resolvePricing(opts(), {
      model: "no-such-model",
      userGroup: "default",
      usingGroup: "default",
      acceptUnpriced: true,
    });
    // (10 + 10×1) × 37.5 = 750
    expect(computeQuota(p, { promptTokens: 10, completionTokens: 10 })).toBe(750n);
  });

  it("a reservation's stored fields give back the pricing it was made with", () => {
    const cases = [
      price(
        "gpt-4o",
        { GroupRatio: { default: 1, vip: 2 }, GroupGroupRatio: { default: { vip: 0.5 } } },
        "default",
        "vip",
      ),
      price("dall-e-3", { GroupRatio: { default: 0.8 } }),
      price("m", { ModelRatio: { m: 0.3 }, CacheRatio: { m: 0.1 }, CompletionRatio: { m: 4 }, QuotaPerUnit: 1000 }),
    ];
    for (const p of cases) {
      const stored = JSON.parse(JSON.stringify(pricingLogFields(p)));
      expect(pricingFromLogFields(p.model, stored)).toEqual({ ...p, free: false });
    }
  });

  it("collapses gizmo model names to one price", () => {
    const p = price("gpt-4-gizmo-abc", { ModelRatio: { "gpt-4-gizmo-*": 15 } });
    expect(p.modelRatio).toBe(15);
  });
});

describe("every token class priced apart (defaults of OpenAI and Anthropic models)", () => {
  it("Anthropic: cache reads, 5-minute and 1-hour writes, output, web search calls", () => {
    const p = price("claude-sonnet-4-5");
    expect(p).toMatchObject({
      modelRatio: 1.5,
      completionRatio: 5,
      cacheRatio: 0.1,
      cacheWrite5mRatio: 1.25,
      cacheWrite1hRatio: 2,
    });
    // inclusive input 1350 = 50 uncached + 1000 read + 100 written (5 min) + 200 written (1 h)
    // (50 + 1000×0.1 + 100×1.25 + 200×2 + 400×5) × 1.5 = 4012.5; + 2 × $10/1000 × 500000 = 10000
    const usage = {
      promptTokens: 1350,
      completionTokens: 400,
      cachedTokens: 1000,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 200,
      toolCalls: { web_search: 2 },
    };
    expect(computeQuota(p, usage)).toBe(14013n);
    // the 5-minute and 1-hour writes are not the same price: (… + 300×1.25 …) × 1.5 = 3787.5 + 10000
    expect(computeQuota(p, { ...usage, cacheWrite5mTokens: 300, cacheWrite1hTokens: 0 })).toBe(13788n);
  });

  it("OpenAI: cached input inside input tokens, reasoning inside output, web search calls", () => {
    const p = price("gpt-5");
    // (2000 − 1500 + 1500×0.1 + 300×8) × 0.625 = 1906.25; + 1 × $10/1000 × 500000 = 5000
    expect(
      computeQuota(p, { promptTokens: 2000, completionTokens: 300, cachedTokens: 1500, toolCalls: { web_search: 1 } }),
    ).toBe(6906n);
    // a tool without a price costs nothing per call; a tool call alone is still served
    expect(computeQuota(p, { promptTokens: 0, completionTokens: 0, toolCalls: { unknown_tool: 3 } })).toBe(0n);
    expect(computeQuota(p, { promptTokens: 0, completionTokens: 0, toolCalls: { file_search: 2 } })).toBe(2500n);
  });

  it("cache writes beyond the input are clamped, never negative", () => {
    const p = price("claude-sonnet-4-5");
    // 10 input: 4 read, 6 of the 20 written (5 min) fit, the 1 h write none: (4×0.1 + 6×1.25) × 1.5 = 11.85
    expect(
      computeQuota(p, {
        promptTokens: 10,
        completionTokens: 0,
        cachedTokens: 4,
        cacheWrite5mTokens: 20,
        cacheWrite1hTokens: 5,
      }),
    ).toBe(12n);
  });

  it("a model without cache-write entries uses Anthropic's multipliers; the options override them", () => {
    expect(price("gpt-4o")).toMatchObject({ cacheWrite5mRatio: 1.25, cacheWrite1hRatio: 2 });
    const p = price("m", {
      ModelRatio: { m: 1 },
      CacheWriteRatio: { m: 1.5 },
      CacheWrite1hRatio: { m: 3 },
      ToolCallPrice: { web_search: 25 },
    });
    // (100×1.5 + 100×3) × 1 + 1 × 25/1000 × 500000 = 450 + 12500
    expect(
      computeQuota(p, {
        promptTokens: 200,
        completionTokens: 0,
        cacheWrite5mTokens: 100,
        cacheWrite1hTokens: 100,
        toolCalls: { web_search: 1 },
      }),
    ).toBe(12950n);
  });

  it("the reserve holds the hosted tool calls the request may make", () => {
    const p = price("gpt-5");
    // (500 + 100) × 0.625 = 375; + 1 web search 5000
    expect(
      estimateQuota(p, { promptTokens: 10, maxTokens: 100, preConsumedTokens: 500, toolCalls: { web_search: 1 } }),
    ).toBe(5375n);
  });

  it("price mode adds tool calls; the stored fields give back the class prices", () => {
    const p = price("dall-e-3", { ToolCallPrice: { web_search: 10 } });
    expect(computeQuota(p, { promptTokens: 1, completionTokens: 0, toolCalls: { web_search: 1 } })).toBe(25_000n);
    const q = price("claude-sonnet-4-5", { CacheWrite1hRatio: { "claude-sonnet-4-5": 2.5 } });
    expect(pricingFromLogFields(q.model, JSON.parse(JSON.stringify(pricingLogFields(q))))).toEqual({
      ...q,
      free: false,
    });
  });
});
