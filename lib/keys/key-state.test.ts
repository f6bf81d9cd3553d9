import { describe, expect, it } from "vitest";
import { keyState } from "./queries";
import { TOKEN_STATUS } from "./schemas";

// The status a person sees: the stored one when a check already stored it (disabled, expired,
// exhausted), else what the key's expiry and budget say now, before the relay stores it.

const NOW = 1_800_000_000;
const key = (over: Partial<Parameters<typeof keyState>[0]> = {}) => ({
  status: TOKEN_STATUS.enabled as number,
  expiredTime: -1n,
  unlimitedQuota: false,
  remainQuota: 100n,
  ...over,
});

describe("keyState", () => {
  it.each([
    ["enabled, never expires, quota left", key(), "enabled"],
    ["enabled, expires later", key({ expiredTime: BigInt(NOW + 60) }), "enabled"],
    ["its expiry is this very second: expired (as the relay counts it)", key({ expiredTime: BigInt(NOW) }), "expired"],
    ["stored disabled", key({ status: TOKEN_STATUS.disabled }), "disabled"],
    ["stored expired", key({ status: TOKEN_STATUS.expired }), "expired"],
    ["stored exhausted", key({ status: TOKEN_STATUS.exhausted }), "exhausted"],
    ["stored enabled but past its expiry", key({ expiredTime: BigInt(NOW - 1) }), "expired"],
    ["stored enabled but its budget spent", key({ remainQuota: 0n }), "exhausted"],
    ["stored enabled, budget below zero (a settled overrun)", key({ remainQuota: -5n }), "exhausted"],
    [
      "unlimited is never exhausted, whatever its remaining quota",
      key({ unlimitedQuota: true, remainQuota: 0n }),
      "enabled",
    ],
    ["unlimited still expires", key({ unlimitedQuota: true, expiredTime: BigInt(NOW - 1) }), "expired"],
    [
      "past its expiry and spent: expired is checked first",
      key({ remainQuota: 0n, expiredTime: BigInt(NOW - 1) }),
      "expired",
    ],
    // a stored status wins over what the clock or the budget say
    [
      "disabled, past expiry and spent: still disabled",
      key({ status: 2, remainQuota: 0n, expiredTime: BigInt(NOW - 1) }),
      "disabled",
    ],
    [
      "stored exhausted, then topped up: exhausted until enabled again",
      key({ status: 4, remainQuota: 500n }),
      "exhausted",
    ],
    [
      "stored expired, expiry moved on: expired until enabled again",
      key({ status: 3, expiredTime: BigInt(NOW + 3600) }),
      "expired",
    ],
  ] as const)("%s", (_what, row, state) => {
    expect(keyState(row, NOW)).toBe(state);
  });
});
