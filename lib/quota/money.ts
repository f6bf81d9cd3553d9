import type { Options } from "@/lib/options/schemas";
import Decimal from "decimal.js";

// The one place that converts quota (integer credit units) to and from money for display.
// QuotaPerUnit quota = 1 USD. Nothing here ever stores a float.

export type QuotaDisplay = {
  type: "USD" | "CNY" | "TOKENS";
  quotaPerUnit: number;
  usdExchangeRate: number;
};

/** the display unit the admin chose (QuotaDisplayType, USDExchangeRate) */
export const displayOf = (o: Pick<Options, "QuotaDisplayType" | "QuotaPerUnit" | "USDExchangeRate">): QuotaDisplay => ({
  type: o.QuotaDisplayType,
  quotaPerUnit: o.QuotaPerUnit,
  usdExchangeRate: o.USDExchangeRate,
});

export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** quota -> amount in the display currency, as an exact decimal */
export function quotaToAmount(quota: bigint, display: QuotaDisplay): Decimal {
  const usd = new Dec(quota.toString()).div(display.quotaPerUnit);
  return display.type === "CNY" ? usd.mul(String(display.usdExchangeRate)) : usd;
}

/** "$1.25", "¥9.125", "1,250,000 tokens"; `digits` caps the decimals shown (trailing zeros trimmed, at least 2) */
export function formatQuota(quota: bigint, display: QuotaDisplay, digits = 6): string {
  if (display.type === "TOKENS") return `${quota.toLocaleString("en-US")} tokens`;
  const amount = quotaToAmount(quota, display);
  const symbol = display.type === "CNY" ? "¥" : "$";
  let text = amount.abs().toFixed(digits, Decimal.ROUND_HALF_UP);
  text = text.replace(/(\.\d\d\d*?)0+$/, "$1");
  const [int, frac] = text.split(".");
  const grouped = BigInt(int).toLocaleString("en-US");
  return `${amount.isNeg() ? "-" : ""}${symbol}${grouped}${frac ? `.${frac}` : ""}`;
}

/** USD (as text, e.g. from a form) -> quota, rounded half away from zero */
export function usdToQuota(usd: string, quotaPerUnit: number): bigint {
  const v = new Dec(usd).mul(quotaPerUnit).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return BigInt(v.toFixed(0));
}

/** bigint -> number for JSON only where the value is known to be safe; throws otherwise */
export function quotaToJsonNumber(q: bigint): number {
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`quota ${q} exceeds JSON's safe integer range`);
  }
  return Number(q);
}
