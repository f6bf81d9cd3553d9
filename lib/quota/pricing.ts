import Decimal from "decimal.js";
import { AppError } from "@/lib/errors";
import type { Options } from "@/lib/options/schemas";
import { Dec } from "./money";
import { MAX_QUOTA } from "./schemas";

// Pricing of a request (new-api's formulas). Arithmetic is exact decimal; the estimate truncates,
// the final charge rounds half away from zero.

/** Ratio used for an unpriced model in self-use mode or for users who accept unpriced models. */
export const FALLBACK_MODEL_RATIO = 37.5;

export type Pricing = {
  model: string;
  mode: "ratio" | "price";
  modelRatio: number;
  completionRatio: number;
  cacheRatio: number;
  /** USD per call; -1 in ratio mode */
  modelPrice: number;
  groupRatio: number;
  /** GroupGroupRatio override in force, else -1 */
  userGroupRatio: number;
  /** free model under enable_free_model_pre_consume = false: no checks, no hold */
  free: boolean;
  quotaPerUnit: number;
};

export type Usage = { promptTokens: number; completionTokens: number; cachedTokens?: number };

type PricingOptions = Pick<
  Options,
  | "ModelRatio"
  | "CompletionRatio"
  | "ModelPrice"
  | "CacheRatio"
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
export function groupRatioOf(
  o: Pick<Options, "GroupRatio" | "GroupGroupRatio">,
  userGroup: string,
  usingGroup: string,
) {
  const special = o.GroupGroupRatio[userGroup]?.[usingGroup];
  if (special !== undefined) return { groupRatio: special, userGroupRatio: special };
  return { groupRatio: o.GroupRatio[usingGroup] ?? 1, userGroupRatio: -1 };
}

/** new-api's FormatMatchingModelName: gizmo models share one price */
export function matchingModelName(model: string): string {
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
 * Pre-charge estimate: ratio mode trunc((max(prompt, floor) + max_tokens) × model ratio × group
 * ratio) — the completion ratio is not applied; price mode trunc(price × QuotaPerUnit × group ratio).
 */
export function estimateQuota(
  p: Pricing,
  args: { promptTokens: number; maxTokens?: number | null; preConsumedTokens: number },
): bigint {
  if (p.free) return 0n;
  if (p.mode === "price") {
    return toBigInt(
      new Dec(String(p.modelPrice))
        .mul(p.quotaPerUnit)
        .mul(String(p.groupRatio))
        .toDecimalPlaces(0, Decimal.ROUND_DOWN),
    );
  }
  const tokens = Math.max(args.promptTokens, args.preConsumedTokens) + Math.max(args.maxTokens ?? 0, 0);
  return toBigInt(
    new Dec(tokens).mul(String(p.modelRatio)).mul(String(p.groupRatio)).toDecimalPlaces(0, Decimal.ROUND_DOWN),
  );
}

/**
 * Final charge (new-api's formula, OpenAI usage semantics: cached tokens are part of prompt_tokens).
 * 0 when the upstream reports no tokens; at least 1 when the ratio is non-zero.
 */
export function computeQuota(p: Pricing, usage: Usage): bigint {
  // nothing served, nothing charged: per-call models too (as new-api)
  if (Math.max(usage.promptTokens, 0) + Math.max(usage.completionTokens, 0) === 0) return 0n;
  if (p.mode === "price") {
    return toBigInt(
      new Dec(String(p.modelPrice))
        .mul(p.quotaPerUnit)
        .mul(String(p.groupRatio))
        .toDecimalPlaces(0, Decimal.ROUND_HALF_UP),
    );
  }
  const prompt = Math.max(usage.promptTokens, 0);
  const completion = Math.max(usage.completionTokens, 0);
  const cached = Math.min(Math.max(usage.cachedTokens ?? 0, 0), prompt);
  const ratio = new Dec(String(p.modelRatio)).mul(String(p.groupRatio));
  const quota = new Dec(prompt - cached)
    .add(new Dec(cached).mul(String(p.cacheRatio)))
    .add(new Dec(completion).mul(String(p.completionRatio)))
    .mul(ratio)
    .toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (!ratio.isZero() && quota.lte(0)) return 1n;
  return toBigInt(quota);
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
    modelPrice: num("model_price", -1),
    groupRatio: num("group_ratio", 1),
    userGroupRatio: num("user_group_ratio", -1),
    // `free` only decides the reserve (no hold, no checks); settling never reads it
    free: false,
    quotaPerUnit: num("quota_per_unit", 500_000),
  };
}
