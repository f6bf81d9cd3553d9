import { describe, expect, it } from "vitest";
import { expiryFromChoice, isExpired, MAX_EXPIRES_AT } from "./expiry";
import { expiryFromForm, maxKeyQuota, remainFromForm } from "./form";

const NOW = 1_800_000_000;
const USD = { type: "USD" as const, quotaPerUnit: 500_000, usdExchangeRate: 7.3 };

describe("expiry presets", () => {
  it.each([
    ["never", -1],
    ["1h", NOW + 3600],
    ["1d", NOW + 86_400],
    ["30d", NOW + 30 * 86_400],
  ] as const)("%s -> %s", (choice, expected) => {
    expect(expiryFromChoice(choice, NOW)).toEqual({ ok: true, expiredTime: expected });
  });

  it("a custom date must be given, in the future and before year 10000", () => {
    expect(expiryFromChoice("custom", NOW, NOW + 1)).toEqual({ ok: true, expiredTime: NOW + 1 });
    expect(expiryFromChoice("custom", NOW, NOW)).toEqual({ ok: false, reason: "past" });
    expect(expiryFromChoice("custom", NOW, 0)).toEqual({ ok: false, reason: "past" });
    expect(expiryFromChoice("custom", NOW, undefined)).toEqual({ ok: false, reason: "custom_missing" });
    expect(expiryFromChoice("custom", NOW, 1.5)).toEqual({ ok: false, reason: "custom_missing" });
    expect(expiryFromChoice("custom", NOW, MAX_EXPIRES_AT + 1)).toEqual({ ok: false, reason: "too_far" });
  });

  it("keep returns the stored expiry, even a past one", () => {
    expect(expiryFromChoice("keep", NOW, undefined, NOW - 10)).toEqual({ ok: true, expiredTime: NOW - 10 });
    expect(expiryFromChoice("keep", NOW, undefined, -1)).toEqual({ ok: true, expiredTime: -1 });
  });

  it("maps a refusal to the field and the portal's text", () => {
    expect(expiryFromForm("custom", NOW, NOW - 1)).toMatchObject({
      ok: false,
      refusal: { field: "expiresAt", key: "keys.error.expiryPast" },
    });
  });

  it("isExpired: -1 never; the expiry second itself counts as expired", () => {
    expect(isExpired(-1, NOW)).toBe(false);
    expect(isExpired(NOW, NOW)).toBe(true);
    expect(isExpired(NOW + 1, NOW)).toBe(false);
  });
});

describe("remaining quota of the key forms", () => {
  it("is bounded by 1e9 × QuotaPerUnit (as new-api)", () => {
    expect(maxKeyQuota(500_000)).toBe(500_000_000_000_000n);
    expect(maxKeyQuota(1)).toBe(1_000_000_000n);
    expect(remainFromForm("1000000000", USD, { creating: true, unlimited: false })).toEqual({
      ok: true,
      quota: 500_000_000_000_000n,
    });
    expect(remainFromForm("1000000000.01", USD, { creating: true, unlimited: false })).toMatchObject({
      ok: false,
      refusal: { key: "keys.error.quotaTooLarge", vars: { max: "$1,000,000,000.00" } },
    });
  });

  it("left out: an edit keeps the stored value, a new unlimited key gets 0, a new limited key needs a figure", () => {
    expect(remainFromForm(undefined, USD, { creating: false, unlimited: false })).toEqual({
      ok: true,
      quota: undefined,
    });
    expect(remainFromForm("", USD, { creating: true, unlimited: true })).toEqual({ ok: true, quota: 0n });
    expect(remainFromForm(" ", USD, { creating: true, unlimited: false })).toMatchObject({
      ok: false,
      refusal: { field: "remainAmount" },
    });
  });
});
