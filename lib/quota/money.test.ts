import { describe, expect, it } from "vitest";
import { formatQuota, parseAmount, quotaToInput, usdToQuota, formatPlotted } from "./money";

const USD = { type: "USD" as const, quotaPerUnit: 500_000, usdExchangeRate: 7.3 };

describe("money", () => {
  it.each([
    [500_000n, "$1.00"],
    [1_250_000n, "$2.50"],
    [1n, "$0.000002"],
    [-750_000n, "-$1.50"],
    [0n, "$0.00"],
    [5_000_000_000_000n, "$10,000,000.00"],
    // beyond 32 bits and beyond 2^53: still exact
    [9_007_199_254_740_993n, "$18,014,398,509.481986"],
  ])("formats %s quota as %s", (q, text) => {
    expect(formatQuota(q, USD)).toBe(text);
  });

  it("formats CNY through the exchange rate and TOKENS raw", () => {
    expect(formatQuota(500_000n, { ...USD, type: "CNY" })).toBe("¥7.30");
    expect(formatQuota(1_234_567n, { ...USD, type: "TOKENS" })).toBe("1,234,567 tokens");
  });

  it("converts USD text to quota exactly, half away from zero", () => {
    expect(usdToQuota("1", 500_000)).toBe(500_000n);
    expect(usdToQuota("0.000001", 500_000)).toBe(1n); // 0.5 → 1
    expect(usdToQuota("-0.000001", 500_000)).toBe(-1n);
    expect(usdToQuota("12345678901.23", 500_000)).toBe(6_172_839_450_615_000n);
  });
});

describe("parseAmount: what a person types in the display unit -> quota", () => {
  const MAX = 500_000_000_000_000n;
  const CNY = { ...USD, type: "CNY" as const };
  const TOKENS = { ...USD, type: "TOKENS" as const };
  it.each([
    [USD, "1", 500_000n],
    [USD, "2.5", 1_250_000n],
    [USD, " 1,000.25 ", 500_125_000n],
    [USD, "$3", 1_500_000n],
    [USD, ".5", 250_000n],
    [USD, "0.000001", 1n], // 0.5 quota rounds half away from zero
    [USD, "0.000002", 1n],
    [USD, "0", 0n],
    [USD, "1000000000", 500_000_000_000_000n],
    [CNY, "7.3", 500_000n],
    [CNY, "¥1", 68_493n], // 1 / 7.3 × 500000 = 68493.15…
    [CNY, "0.73", 50_000n],
    [TOKENS, "123456", 123_456n],
  ] as const)("%o %j -> %s", (display, text, quota) => {
    expect(parseAmount(text, display, MAX)).toEqual({ ok: true, quota });
  });

  it.each([
    [USD, "", "format"],
    [USD, "abc", "format"],
    [USD, "1.0000001", "format"],
    [USD, "1e3", "format"],
    [USD, "0x10", "format"],
    [USD, "1.2.3", "format"],
    [USD, "-1", "negative"],
    [USD, "1000000000.000002", "too_large"],
    [USD, "9".repeat(41), "format"],
    [TOKENS, "1.5", "format"],
    [TOKENS, "500000000000001", "too_large"],
  ] as const)("%o %j is refused: %s", (display, text, reason) => {
    expect(parseAmount(text, display, MAX)).toEqual({ ok: false, reason });
  });

  it("pre-fills an amount field with what parses back to the same quota (USD, TOKENS)", () => {
    for (const q of [0n, 1n, 499_999n, 500_000n, 1_234_567_891n]) {
      expect(parseAmount(quotaToInput(q, USD), USD, MAX)).toEqual({ ok: true, quota: q });
      expect(parseAmount(quotaToInput(q, TOKENS), TOKENS, MAX)).toEqual({ ok: true, quota: q });
    }
    expect(quotaToInput(1_250_000n, USD)).toBe("2.5");
    expect(quotaToInput(500_000n, CNY)).toBe("7.3");
  });
});

describe("formatPlotted (chart values in the reader's language)", () => {
  it.each([
    [1234.5, "$", "en", true, "$1.2K"],
    [0.0015, "$", "en", true, "$0.0015"],
    [0, "$", "en", true, "$0"],
    [-2500, "¥", "en", true, "-¥2.5K"],
    [12_345, "¥", "zh", true, "¥1.2万"],
    [1_500_000, "", "en", true, "1.5M"],
    [1_500_000, "", "zh", true, "150万"],
    [1234.56789, "$", "en", false, "$1,234.5679"],
    [1_250_000, "", "en", false, "1,250,000"],
  ] as const)("%d %j %s compact=%s -> %s", (value, symbol, locale, compact, text) => {
    expect(formatPlotted(value, { symbol, locale, compact })).toBe(text);
  });
});
