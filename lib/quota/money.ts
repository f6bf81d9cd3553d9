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

/**
 * "$1.25", "¥9.125", "1,250,000 tokens"; `digits` caps the decimals shown (trailing zeros trimmed,
 * at least 2); `tokensLabel` is the word after a raw amount (the portal passes its language's).
 */
export function formatQuota(quota: bigint, display: QuotaDisplay, digits = 6, tokensLabel = "tokens"): string {
  if (display.type === "TOKENS") return `${quota.toLocaleString("en-US")} ${tokensLabel}`;
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

/** bigint -> number for the JSON of /v1, where clients expect numbers (the rule: lib/http/api.ts jsonText); throws past 2^53 */
export function quotaToJsonNumber(q: bigint): number {
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`quota ${q} exceeds JSON's safe integer range`);
  }
  return Number(q);
}

/** the symbol an amount field shows before its input: "$", "¥", or "" for raw quota */
export const unitSymbol = (display: QuotaDisplay): string =>
  display.type === "USD" ? "$" : display.type === "CNY" ? "¥" : "";

/** decimals an amount typed in the display unit may have: enough for one quota at the default unit */
const MAX_AMOUNT_DECIMALS = 6;

export type ParsedAmount = { ok: true; quota: bigint } | { ok: false; reason: "format" | "negative" | "too_large" };

/**
 * What a person typed in the display unit (USD, CNY through the exchange rate, or raw quota) ->
 * quota, exactly: decimal arithmetic, rounded half away from zero, bounded by `max`. Thousands
 * separators and spaces are ignored; anything else that is not a plain decimal is a format error.
 */
export function parseAmount(text: string, display: QuotaDisplay, max: bigint): ParsedAmount {
  const clean = String(text)
    .replace(/[\s,_]/g, "")
    .replace(/^[$¥]/, "");
  if (clean.length === 0 || clean.length > 40) return { ok: false, reason: "format" };
  if (/^-/.test(clean)) return { ok: false, reason: "negative" };
  const pattern =
    display.type === "TOKENS"
      ? /^\+?\d+$/
      : new RegExp(`^\\+?(\\d+(\\.\\d{0,${MAX_AMOUNT_DECIMALS}})?|\\.\\d{1,${MAX_AMOUNT_DECIMALS}})$`);
  if (!pattern.test(clean)) return { ok: false, reason: "format" };
  const amount = new Dec(clean.replace(/^\+/, ""));
  let quota: Decimal;
  if (display.type === "TOKENS") quota = amount;
  else {
    const usd = display.type === "CNY" ? amount.div(String(display.usdExchangeRate)) : amount;
    quota = usd.mul(display.quotaPerUnit).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  }
  const q = BigInt(quota.toFixed(0));
  if (q > max) return { ok: false, reason: "too_large" };
  return { ok: true, quota: q };
}

/** quota -> the text an amount field is pre-filled with (no symbol, no separators, trailing zeros trimmed) */
export function quotaToInput(quota: bigint, display: QuotaDisplay): string {
  if (display.type === "TOKENS") return quota.toString();
  const text = quotaToAmount(quota, display).toFixed(MAX_AMOUNT_DECIMALS, Decimal.ROUND_HALF_UP);
  return text.replace(/\.?0+$/, "");
}

/**
 * A plotted value (a chart's bar or axis tick, already in the display unit; never a stored amount)
 * in the reader's language: `symbol` is unitSymbol() for money, "" for tokens. Compact for axis
 * ticks ("$1.2K", "¥1.2万"), where small amounts keep two significant digits ("$0.0015", not "$0").
 */
export function formatPlotted(
  value: number,
  { symbol, locale, compact = false }: { symbol: string; locale: "en" | "zh"; compact?: boolean },
): string {
  const abs = Math.abs(value);
  const options: Intl.NumberFormatOptions = compact
    ? { notation: "compact", ...(abs < 1 ? { maximumSignificantDigits: 2 } : { maximumFractionDigits: 1 }) }
    : { maximumFractionDigits: symbol ? 4 : 0 };
  const text = new Intl.NumberFormat(locale === "zh" ? "zh-CN" : "en-US", options).format(abs);
  return `${value < 0 ? "-" : ""}${symbol}${text}`;
}
