import { describe, expect, it } from "vitest";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { computeQuota, pricingLogFields, resolvePricing } from "@/lib/quota/pricing";
import { explainCharge } from "./explain";

// A consume log carries its pricing and its token classes in `other`; the explanation recomputes
// the charge from them alone and shows the formula with the numbers put in.
describe("explainCharge", () => {
  const pricing = resolvePricing(OPTION_DEFAULTS, {
    model: "claude-sonnet-4-5",
    userGroup: "default",
    usingGroup: "default",
  });
  const usage = {
    promptTokens: 1350,
    completionTokens: 400,
    cachedTokens: 1000,
    cacheWrite5mTokens: 100,
    cacheWrite1hTokens: 200,
    toolCalls: { web_search: 2 },
  };
  const charged = computeQuota(pricing, usage);
  const row = (quota: bigint) => ({
    modelName: "claude-sonnet-4-5",
    promptTokens: 1350,
    completionTokens: 400,
    cachedTokens: 1000,
    quota: quota.toString(),
    other: JSON.parse(
      JSON.stringify({
        ...pricingLogFields(pricing),
        cache_tokens: 1000,
        cache_write_5m_tokens: 100,
        cache_write_1h_tokens: 200,
        reasoning_tokens: 0,
        tool_calls: { web_search: 2 },
      }),
    ),
  });

  it("recomputes a charge with every class from the stored fields", () => {
    const e = explainCharge(row(charged))!;
    expect(charged).toBe(14013n);
    expect(e.matches).toBe(true);
    expect(e.recomputed).toBe("14013");
    expect(e.exact).toBe("14012.5");
    expect(e.formula).toBe(
      "(1350 − 1000 − 100 − 200 + 1000 × 0.1 + 100 × 1.25 + 200 × 2 + 400 × 5) × 1.5 × 1 + 2 web_search × $10 / 1000 × 500000 × 1",
    );
    expect(e.inputs.toolPrices).toEqual({ web_search: 10 });
    expect(e.usage.toolCalls).toEqual({ web_search: 2 });
  });

  it("flags a charge that the stored classes do not give", () => {
    expect(explainCharge(row(charged - 5000n))!.matches).toBe(false);
  });

  it("an old log (no class fields) explains as before", () => {
    const e = explainCharge({
      modelName: "gpt-4o",
      promptTokens: 1000,
      completionTokens: 100,
      cachedTokens: 400,
      quota: "1500",
      other: { model_ratio: 1.25, completion_ratio: 4, cache_ratio: 0.5, group_ratio: 1, model_price: -1 },
    })!;
    expect(e.formula).toBe("(1000 − 400 + 400 × 0.5 + 100 × 4) × 1.25 × 1");
    expect(e.matches).toBe(true);
  });
});
