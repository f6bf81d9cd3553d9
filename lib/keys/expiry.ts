// Expiry of an API key as the forms offer it (as new-api: never, +1 hour, +1 day, +1 month,
// or a date). The server turns the preset into unix seconds with its own clock, so a browser's
// wrong clock cannot make a key expire at once; only a custom date comes from the browser (the
// person picked it in their time zone), and it must lie in the future.

export const EXPIRY_PRESETS = ["never", "1h", "1d", "30d", "custom"] as const;
export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number];
/** on an edit, "keep" leaves the stored expiry as it is */
export type ExpiryChoice = ExpiryPreset | "keep";

const NEVER_EXPIRES = -1;
const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;
/** 9999-12-31T23:59:59Z: far enough; beyond it a date is a typing mistake */
export const MAX_EXPIRES_AT = 253_402_300_799;

export type ExpiryResult =
  { ok: true; expiredTime: number } | { ok: false; reason: "custom_missing" | "past" | "too_far" };

/**
 * The expired_time (unix seconds, -1 = never) of a choice made at `nowSec`. `keep` returns
 * `current` unchanged (a key that has already expired stays so until its expiry is changed).
 */
export function expiryFromChoice(
  choice: ExpiryChoice,
  nowSec: number,
  customSec?: number | null,
  current?: number,
): ExpiryResult {
  switch (choice) {
    case "never":
      return { ok: true, expiredTime: NEVER_EXPIRES };
    case "1h":
      return { ok: true, expiredTime: nowSec + HOUR_S };
    case "1d":
      return { ok: true, expiredTime: nowSec + DAY_S };
    case "30d":
      return { ok: true, expiredTime: nowSec + 30 * DAY_S };
    case "keep":
      return { ok: true, expiredTime: current ?? NEVER_EXPIRES };
    case "custom": {
      if (customSec === undefined || customSec === null || !Number.isSafeInteger(customSec))
        return { ok: false, reason: "custom_missing" };
      if (customSec <= nowSec) return { ok: false, reason: "past" };
      if (customSec > MAX_EXPIRES_AT) return { ok: false, reason: "too_far" };
      return { ok: true, expiredTime: customSec };
    }
  }
}

/** whether a key with this expired_time has expired at `nowSec` */
export const isExpired = (expiredTime: number, nowSec: number) =>
  expiredTime !== NEVER_EXPIRES && expiredTime <= nowSec;
