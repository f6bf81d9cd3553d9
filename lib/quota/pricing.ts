import Decimal from "decimal.js";
import { AppError } from "@/lib/errors";
import type { Options } from "@/lib/options/schemas";
import { Dec } from "./money";
import { MAX_QUOTA } from "./schemas";

// Pricing of a request (new-api's formulas). Arithmetic is exact decimal; the estimate truncates,
// the final charge rounds half away from zero.

/** Ratio used for an unpriced model in self-use mode or for users who accept unpriced models. */
export const FALLBACK_MODEL_RATIO = 37.5;
/**
 * Cache-write ratios of a model without its own entry: Anthropic's published multipliers of the
 * input price (a 5-minute write costs 1.25×, a 1-hour write 2×), which new-api also defaults to.
 */
const FALLBACK_CACHE_WRITE_5M_RATIO = 1.25;
const FALLBACK_CACHE_WRITE_1H_RATIO = 2;
/** ToolCallPrice is in USD per this many calls (as providers publish it) */
const TOOL_CALLS_PER_PRICE = 1000;

export type Pricing = {
  model: string;
  mode: "ratio" | "price";
  modelRatio: number;
  completionRatio: number;
  cacheRatio: number;
  /** input written to a 5-minute (Anthropic's default) prompt cache, relative to the input price */
  cacheWrite5mRatio: number;
  /** input written to a 1-hour prompt cache, relative to the input price */
  cacheWrite1hRatio: number;
  /** USD per 1,000 calls of each hosted tool (web_search, file_search, …) */
  toolPrices: Readonly<Record<string, number>>;
  /** USD per call; -1 in ratio mode */
  modelPrice: number;
  groupRatio: number;
  /** GroupGroupRatio override in force, else -1 */
  userGroupRatio: number;
  /** free model under enable_free_model_pre_consume = false: no checks, no hold */
  free: boolean;
  quotaPerUnit: number;
};

/**
 * The token classes of a served request (lib/relay/usage.ts's record). Input is inclusive: cached
 * reads and cache writes are parts of promptTokens, whatever the upstream's own semantic was.
 */
export type Usage = {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  /** hosted tool calls by tool name */
  toolCalls?: Readonly<Record<string, number | undefined>>;
};

type PricingOptions = Pick<
  Options,
  | "ModelRatio"
  | "CompletionRatio"
  | "ModelPrice"
  | "CacheRatio"
  | "CacheWriteRatio"
  | "CacheWrite1hRatio"
  | "ToolCallPrice"
  | "GroupRatio"
  | "GroupGroupRatio"
  | "SelfUseModeEnabled"
  | "EnableFreeModelPreConsume"
  | "QuotaPerUnit"
>;

/**
 * The price multiplier of a request billed in `usingGroup` for a user of `userGroup`:
 * GroupGroupRatio[userGroup][usingGroup] if set, else GroupRatio[usingGroup], else 1.
 */
function groupRatioOf(o: Pick<Options, "GroupRatio" | "GroupGroupRatio">, userGroup: string, usingGroup: string) {
  const special = o.GroupGroupRatio[userGroup]?.[usingGroup];
  if (special !== undefined) return { groupRatio: special, userGroupRatio: special };
  return { groupRatio: o.GroupRatio[usingGroup] ?? 1, userGroupRatio: -1 };
}

/** new-api's FormatMatchingModelName: gizmo models share one price */
function matchingModelName(model: string): string {
  if (model.startsWith("gpt-4o-gizmo")) return "gpt-4o-gizmo-*";
  if (model.startsWith("gpt-4-gizmo")) return "gpt-4-gizmo-*";
  return model;
}

export function isModelPriced(o: Pick<Options, "ModelRatio" | "ModelPrice">, model: string): boolean {
  const name = matchingModelName(model);
  return Object.hasOwn(o.ModelPrice, name) || Object.hasOwn(o.ModelRatio, name);
}

export function resolvePricing(
  o: PricingOptions,
  args: { model: string; userGroup: string; usingGroup: string; acceptUnpriced?: boolean },
): Pricing {
  const name = matchingModelName(args.model);
  const { groupRatio, userGroupRatio } = groupRatioOf(o, args.userGroup, args.usingGroup);
  const completionRatio = o.CompletionRatio[name] ?? 1;
  const cacheRatio = o.CacheRatio[name] ?? 1;
  const base = {
    model: args.model,
    completionRatio,
    cacheRatio,
    cacheWrite5mRatio: o.CacheWriteRatio[name] ?? FALLBACK_CACHE_WRITE_5M_RATIO,
    cacheWrite1hRatio: o.CacheWrite1hRatio[name] ?? FALLBACK_CACHE_WRITE_1H_RATIO,
    toolPrices: o.ToolCallPrice,
    groupRatio,
    userGroupRatio,
    quotaPerUnit: o.QuotaPerUnit,
  };
  if (Object.hasOwn(o.ModelPrice, name)) {
    const modelPrice = o.ModelPrice[name];
    const free = !o.EnableFreeModelPreConsume && (groupRatio === 0 || modelPrice === 0);
    return { ...base, mode: "price", modelRatio: 0, modelPrice, free };
  }
  let modelRatio = o.ModelRatio[name];
  if (modelRatio === undefined) {
    if (!o.SelfUseModeEnabled && !args.acceptUnpriced) {
      throw new AppError(
        "model_price_error",
        `Model ${args.model} has no price configured; ask the administrator to set one (or to enable self-use mode)`,
        400,
      );
    }
    modelRatio = FALLBACK_MODEL_RATIO;
  }
  const free = !o.EnableFreeModelPreConsume && (groupRatio === 0 || modelRatio === 0);
  return { ...base, mode: "ratio", modelRatio, modelPrice: -1, free };
}

/**
 * Decimal -> bigint, saturating at MAX_QUOTA (as new-api saturates at int32, but 64-bit): absurd
 * ratios × token counts cannot overflow a bigint column and turn a charge into a database error.
 */
const toBigInt = (d: Decimal) => {
  const v = BigInt(d.toFixed(0));
  return v > MAX_QUOTA ? MAX_QUOTA : v;
};

/**
 * The surcharge of hosted tool calls, in quota (exact, not rounded): calls × USD per 1,000 calls /
 * 1,000 × QuotaPerUnit × group ratio. A tool without a price costs nothing per call.
 */
function toolSurcharge(p: Pricing, calls: Usage["toolCalls"]): Decimal {
  let sum = new Dec(0);
  for (const [tool, n] of Object.entries(calls ?? {})) {
    const price = p.toolPrices[tool];
    if (!n || n <= 0 || !price) continue;
    sum = sum.add(new Dec(n).mul(String(price)));
  }
  return sum.div(TOOL_CALLS_PER_PRICE).mul(p.quotaPerUnit).mul(String(p.groupRatio));
}

/**
 * Pre-charge estimate: ratio mode trunc((max(prompt, floor) + max_tokens) × model ratio × group
 * ratio) — the completion ratio is not applied; price mode trunc(price × QuotaPerUnit × group ratio);
 * both plus the hosted tool calls the request may make (one per tool it declares).
 */
export function estimateQuota(
  p: Pricing,
  args: { promptTokens: number; maxTokens?: number | null; preConsumedTokens: number; toolCalls?: Usage["toolCalls"] },
): bigint {
  if (p.free) return 0n;
  const tools = toolSurcharge(p, args.toolCalls);
  if (p.mode === "price") {
    return toBigInt(
      new Dec(String(p.modelPrice))
        .mul(p.quotaPerUnit)
        .mul(String(p.groupRatio))
        .add(tools)
        .toDecimalPlaces(0, Decimal.ROUND_DOWN),
    );
  }
  const tokens = Math.max(args.promptTokens, args.preConsumedTokens) + Math.max(args.maxTokens ?? 0, 0);
  return toBigInt(
    new Dec(tokens)
      .mul(String(p.modelRatio))
      .mul(String(p.groupRatio))
      .add(tools)
      .toDecimalPlaces(0, Decimal.ROUND_DOWN),
  );
}

/** the token classes of a usage, clamped so the parts never exceed the input they are part of */
export function usageClasses(usage: Usage) {
  const prompt = Math.max(usage.promptTokens, 0);
  const completion = Math.max(usage.completionTokens, 0);
  const cached = Math.min(Math.max(usage.cachedTokens ?? 0, 0), prompt);
  const write5m = Math.min(Math.max(usage.cacheWrite5mTokens ?? 0, 0), prompt - cached);
  const write1h = Math.min(Math.max(usage.cacheWrite1hTokens ?? 0, 0), prompt - cached - write5m);
  return { prompt, completion, cached, write5m, write1h, uncached: prompt - cached - write5m - write1h };
}

export type ChargeRule = "none" | "minimum" | "round" | "price";

/**
 * The charge of a usage before rounding, and the rule that turns it into an integer. The one
 * formula: computeQuota rounds it, lib/logs/explain.ts shows it.
 *   ratio mode: (uncached + cached × cache ratio + write5m × 5m ratio + write1h × 1h ratio
 *                + completion × completion ratio) × model ratio × group ratio + tools
 *   price mode: price × QuotaPerUnit × group ratio + tools
 * Nothing served (no tokens, no tool call) costs 0; a non-zero ratio costs at least 1.
 */
export function chargeOf(p: Pricing, usage: Usage): { exact: Decimal; rule: ChargeRule } {
  const c = usageClasses(usage);
  const tools = toolSurcharge(p, usage.toolCalls);
  // nothing served (no token, no priced tool call), nothing charged: per-call models too (as new-api)
  if (c.prompt + c.completion === 0 && tools.isZero()) return { exact: new Dec(0), rule: "none" };
  if (p.mode === "price") {
    return {
      exact: new Dec(String(p.modelPrice)).mul(p.quotaPerUnit).mul(String(p.groupRatio)).add(tools),
      rule: "price",
    };
  }
  const ratio = new Dec(String(p.modelRatio)).mul(String(p.groupRatio));
  const exact = new Dec(c.uncached)
    .add(new Dec(c.cached).mul(String(p.cacheRatio)))
    .add(new Dec(c.write5m).mul(String(p.cacheWrite5mRatio)))
    .add(new Dec(c.write1h).mul(String(p.cacheWrite1hRatio)))
    .add(new Dec(c.completion).mul(String(p.completionRatio)))
    .mul(ratio)
    .add(tools);
  const minimum = !ratio.isZero() && exact.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).lte(0);
  return { exact, rule: minimum ? "minimum" : "round" };
}

/**
 * Final charge (new-api's formula, with every token class priced apart; chargeOf). Rounded half
 * away from zero; 0 when nothing was served; at least 1 when the ratio is non-zero.
 */
export function computeQuota(p: Pricing, usage: Usage): bigint {
  const { exact, rule } = chargeOf(p, usage);
  if (rule === "none") return 0n;
  if (rule === "minimum") return 1n;
  return toBigInt(exact.toDecimalPlaces(0, Decimal.ROUND_HALF_UP));
}

/**
 * What a reservation and its consume log keep so the charge can be recomputed. pricingFromLogFields
 * is its inverse for everything computeQuota reads: a settle prices with what the reservation
 * stored, whichever node runs it.
 */
export function pricingLogFields(p: Pricing) {
  return {
    model_ratio: p.modelRatio,
    completion_ratio: p.completionRatio,
    cache_ratio: p.cacheRatio,
    cache_write_5m_ratio: p.cacheWrite5mRatio,
    cache_write_1h_ratio: p.cacheWrite1hRatio,
    tool_prices: p.toolPrices,
    model_price: p.modelPrice,
    group_ratio: p.groupRatio,
    user_group_ratio: p.userGroupRatio,
    quota_per_unit: p.quotaPerUnit,
    billing_mode: p.mode,
  };
}

export type PricingLogFields = ReturnType<typeof pricingLogFields>;

/** the Pricing a reservation was made with, from the fields it stored (pricingLogFields) */
export function pricingFromLogFields(model: string, stored: unknown): Pricing {
  const p = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const num = (k: keyof PricingLogFields, d: number) => (typeof p[k] === "number" ? (p[k] as number) : d);
  return {
    model,
    mode: p.billing_mode === "price" ? "price" : "ratio",
    modelRatio: num("model_ratio", 0),
    completionRatio: num("completion_ratio", 1),
    cacheRatio: num("cache_ratio", 1),
    cacheWrite5mRatio: num("cache_write_5m_ratio", FALLBACK_CACHE_WRITE_5M_RATIO),
    cacheWrite1hRatio: num("cache_write_1h_ratio", FALLBACK_CACHE_WRITE_1H_RATIO),
    toolPrices: priceMap(p.tool_prices),
    modelPrice: num("model_price", -1),
    groupRatio: num("group_ratio", 1),
    userGroupRatio: num("user_group_ratio", -1),
    // `free` only decides the reserve (no hold, no checks); settling never reads it
    free: false,
    quotaPerUnit: num("quota_per_unit", 500_000),
  };
}

/** a stored map of prices: only finite, non-negative numbers are kept */
function priceMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === "number" && Number.isFinite(x) && x >= 0) out[k] = x;
  return out;
}
