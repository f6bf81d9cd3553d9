import { Dec } from "@/lib/quota/money";
import { computeQuota, pricingFromLogFields, type Pricing } from "@/lib/quota/pricing";

// How a consume log was priced: the inputs its reservation stored, the formula evaluated with them,
// and the integer that formula gives — computed by lib/quota/pricing's computeQuota, the code the
// settle ran, so the browser recomputes exactly what the server charged (or shows it does not).

export type PricingInputs = {
  mode: Pricing["mode"];
  modelRatio: number;
  completionRatio: number;
  cacheRatio: number;
  groupRatio: number;
  /** a GroupGroupRatio override in force, else -1 */
  userGroupRatio: number;
  /** USD per call, -1 in ratio mode */
  modelPrice: number;
  quotaPerUnit: number;
};

export type PricingExplanation = {
  inputs: PricingInputs;
  usage: { promptTokens: number; completionTokens: number; cachedTokens: number };
  /** the formula with the numbers put in, up to the exact (unrounded) value */
  formula: string;
  /** the exact value before rounding */
  exact: string;
  /** what computeQuota gives for these inputs */
  recomputed: string;
  charged: string;
  matches: boolean;
  /** "none": no tokens served (nothing charged); "minimum": rounded below 1 with a non-zero ratio */
  rule: "none" | "minimum" | "round" | "price";
};

/** the stored pricing of a log's `other`, or null when it has none (rows written before it existed) */
export function storedPricing(other: unknown): Record<string, unknown> | null {
  if (!other || typeof other !== "object") return null;
  const o = other as Record<string, unknown>;
  return typeof o.model_ratio === "number" || typeof o.model_price === "number" ? o : null;
}

export function explainCharge(row: {
  modelName: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  quota: string;
  other: unknown;
}): PricingExplanation | null {
  const stored = storedPricing(row.other);
  if (!stored) return null;
  const p = pricingFromLogFields(row.modelName, stored);
  const usage = {
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
  };
  const recomputed = computeQuota(p, usage).toString();
  const inputs: PricingInputs = {
    mode: p.mode,
    modelRatio: p.modelRatio,
    completionRatio: p.completionRatio,
    cacheRatio: p.cacheRatio,
    groupRatio: p.groupRatio,
    userGroupRatio: p.userGroupRatio,
    modelPrice: p.modelPrice,
    quotaPerUnit: p.quotaPerUnit,
  };
  const prompt = Math.max(usage.promptTokens, 0);
  const completion = Math.max(usage.completionTokens, 0);
  const cached = Math.min(Math.max(usage.cachedTokens, 0), prompt);
  let formula: string;
  let exact: string;
  let rule: PricingExplanation["rule"];
  if (prompt + completion === 0) {
    formula = "0 + 0";
    exact = "0";
    rule = "none";
  } else if (p.mode === "price") {
    const value = new Dec(String(p.modelPrice)).mul(p.quotaPerUnit).mul(String(p.groupRatio));
    formula = `${p.modelPrice} × ${p.quotaPerUnit} × ${p.groupRatio}`;
    exact = value.toString();
    rule = "price";
  } else {
    const value = new Dec(prompt - cached)
      .add(new Dec(cached).mul(String(p.cacheRatio)))
      .add(new Dec(completion).mul(String(p.completionRatio)))
      .mul(String(p.modelRatio))
      .mul(String(p.groupRatio));
    const tokens = cached
      ? `${prompt} − ${cached} + ${cached} × ${p.cacheRatio} + ${completion} × ${p.completionRatio}`
      : `${prompt} + ${completion} × ${p.completionRatio}`;
    formula = `(${tokens}) × ${p.modelRatio} × ${p.groupRatio}`;
    exact = value.toString();
    rule = value.lt(0.5) && !new Dec(String(p.modelRatio)).mul(String(p.groupRatio)).isZero() ? "minimum" : "round";
  }
  return { inputs, usage, formula, exact, recomputed, charged: row.quota, matches: recomputed === row.quota, rule };
}
