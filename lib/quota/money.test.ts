import { describe, expect, it } from "vitest";
import { formatQuota, usdToQuota } from "./money";

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
