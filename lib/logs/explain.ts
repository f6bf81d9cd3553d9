import { chargeOf, computeQuota, pricingFromLogFields, usageClasses, type Pricing } from "@/lib/quota/pricing";

// How a consume log was priced: the inputs its reservation stored, the formula evaluated with them,
// and the integer that formula gives — computed by lib/quota/pricing's chargeOf and computeQuota,
// the code the settle ran, so the browser recomputes exactly what the server charged (or shows it
// does not). Every token class the log stores (cache reads, 5-minute and 1-hour cache writes,
// hosted tool calls) is in the formula with its own price.

export type PricingInputs = {
  mode: Pricing["mode"];
  modelRatio: number;
  completionRatio: number;
  cacheRatio: number;
  cacheWrite5mRatio: number;
  cacheWrite1hRatio: number;
  /** USD per 1,000 calls of the tools this request called */
  toolPrices: Record<string, number>;
  groupRatio: number;
  /** a GroupGroupRatio override in force, else -1 */
  userGroupRatio: number;
  /** USD per call, -1 in ratio mode */
  modelPrice: number;
  quotaPerUnit: number;
};

export type PricingExplanation = {
  inputs: PricingInputs;
  usage: {
    promptTokens: number;
    completionTokens: number;
    cachedTokens: number;
    cacheWrite5mTokens: number;
    cacheWrite1hTokens: number;
    reasoningTokens: number;
    toolCalls: Record<string, number>;
  };
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
function storedPricing(other: unknown): Record<string, unknown> | null {
  if (!other || typeof other !== "object") return null;
  const o = other as Record<string, unknown>;
  return typeof o.model_ratio === "number" || typeof o.model_price === "number" ? o : null;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

/** the hosted tool calls a log's `other` stores */
function toolCallsOf(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, n] of Object.entries(v)) if (num(n) > 0) out[k] = num(n);
  return out;
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
  const toolCalls = toolCallsOf(stored.tool_calls);
  const usage = {
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    cachedTokens: row.cachedTokens,
    cacheWrite5mTokens: num(stored.cache_write_5m_tokens),
    cacheWrite1hTokens: num(stored.cache_write_1h_tokens),
    reasoningTokens: num(stored.reasoning_tokens),
    toolCalls,
  };
  const recomputed = computeQuota(p, usage).toString();
  const toolPrices: Record<string, number> = {};
  for (const tool of Object.keys(toolCalls)) toolPrices[tool] = p.toolPrices[tool] ?? 0;
  const inputs: PricingInputs = {
    mode: p.mode,
    modelRatio: p.modelRatio,
    completionRatio: p.completionRatio,
    cacheRatio: p.cacheRatio,
    cacheWrite5mRatio: p.cacheWrite5mRatio,
    cacheWrite1hRatio: p.cacheWrite1hRatio,
    toolPrices,
    groupRatio: p.groupRatio,
    userGroupRatio: p.userGroupRatio,
    modelPrice: p.modelPrice,
    quotaPerUnit: p.quotaPerUnit,
  };
  const { exact, rule } = chargeOf(p, usage);
  return {
    inputs,
    usage,
    formula: formulaOf(p, usage),
    exact: exact.toString(),
    recomputed,
    charged: row.quota,
    matches: recomputed === row.quota,
    rule,
  };
}

/** chargeOf's formula with the numbers put in (only the classes the request had) */
function formulaOf(
  p: Pricing,
  usage: Parameters<typeof usageClasses>[0] & { toolCalls: Record<string, number> },
): string {
  const c = usageClasses(usage);
  const tools = Object.entries(usage.toolCalls).map(
    ([tool, n]) => `${n} ${tool} × $${p.toolPrices[tool] ?? 0} / 1000 × ${p.quotaPerUnit} × ${p.groupRatio}`,
  );
  const plusTools = tools.length ? ` + ${tools.join(" + ")}` : "";
  if (c.prompt + c.completion === 0 && !tools.length) return "0 + 0";
  if (p.mode === "price") return `${p.modelPrice} × ${p.quotaPerUnit} × ${p.groupRatio}${plusTools}`;
  const simple = !c.cached && !c.write5m && !c.write1h;
  let tokens: string;
  if (simple) tokens = `${c.prompt} + ${c.completion} × ${p.completionRatio}`;
  else {
    const minus = [c.cached, c.write5m, c.write1h].filter(Boolean).join(" − ");
    const parts = [`${c.prompt} − ${minus}`];
    if (c.cached) parts.push(`${c.cached} × ${p.cacheRatio}`);
    if (c.write5m) parts.push(`${c.write5m} × ${p.cacheWrite5mRatio}`);
    if (c.write1h) parts.push(`${c.write1h} × ${p.cacheWrite1hRatio}`);
    parts.push(`${c.completion} × ${p.completionRatio}`);
    tokens = parts.join(" + ");
  }
  return `(${tokens}) × ${p.modelRatio} × ${p.groupRatio}${plusTools}`;
}
