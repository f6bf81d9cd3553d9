import { MAX_QUOTA } from "@/lib/quota/schemas";
import { formatQuota, parseAmount, type QuotaDisplay } from "@/lib/quota/money";
import type { MessageKey, Vars } from "@/lib/i18n";
import { expiryFromChoice, type ExpiryChoice } from "./expiry";

// What the key forms send, turned into what the service stores: the remaining quota typed in the
// display unit -> quota (exact, bounded), and the expiry choice -> unix seconds. Pure, so the
// rules are unit-tested; the service throws a field error for a refusal.

export type FormRefusal = { field: "remainAmount" | "expiresAt"; key: MessageKey; vars?: Vars; message: string };

/** as new-api: a key's budget is at most 1e9 × QuotaPerUnit (and never beyond MAX_QUOTA) */
export function maxKeyQuota(quotaPerUnit: number): bigint {
  const bound = BigInt(quotaPerUnit) * 1_000_000_000n;
  return bound < MAX_QUOTA ? bound : MAX_QUOTA;
}

/**
 * The remaining quota of a form. Left out: an edit keeps the stored value (undefined); a new
 * unlimited key gets 0; a new limited key needs a figure.
 */
export function remainFromForm(
  text: string | undefined,
  display: QuotaDisplay,
  mode: { creating: boolean; unlimited: boolean },
): { ok: true; quota: bigint | undefined } | { ok: false; refusal: FormRefusal } {
  if (text === undefined || text.trim() === "") {
    if (!mode.creating) return { ok: true, quota: undefined };
    if (mode.unlimited) return { ok: true, quota: 0n };
    return { ok: false, refusal: formatRefusal(display) };
  }
  const max = maxKeyQuota(display.quotaPerUnit);
  const parsed = parseAmount(text, display, max);
  if (parsed.ok) return { ok: true, quota: parsed.quota };
  if (parsed.reason === "negative") {
    return {
      ok: false,
      refusal: { field: "remainAmount", key: "keys.error.amountNegative", message: "Quota value cannot be negative" },
    };
  }
  if (parsed.reason === "too_large") {
    const shown = formatQuota(max, display, 2);
    return {
      ok: false,
      refusal: {
        field: "remainAmount",
        key: "keys.error.quotaTooLarge",
        vars: { max: shown },
        message: `Quota value exceeds valid range, maximum is ${shown}`,
      },
    };
  }
  return { ok: false, refusal: formatRefusal(display) };
}

const formatRefusal = (display: QuotaDisplay): FormRefusal => ({
  field: "remainAmount",
  key: display.type === "TOKENS" ? "keys.error.amountFormatTokens" : "keys.error.amountFormat",
  message: "Quota value is not a valid amount",
});

const EXPIRY_REFUSALS = {
  custom_missing: { key: "keys.error.expiryMissing", message: "Pick an expiry date" },
  past: { key: "keys.error.expiryPast", message: "Expiry must be in the future" },
  too_far: { key: "keys.error.expiryTooFar", message: "Expiry is too far in the future" },
} as const;

export function expiryFromForm(
  choice: ExpiryChoice,
  nowSec: number,
  expiresAt: number | undefined,
  current?: number,
): { ok: true; expiredTime: number } | { ok: false; refusal: FormRefusal } {
  const r = expiryFromChoice(choice, nowSec, expiresAt, current);
  if (r.ok) return r;
  return { ok: false, refusal: { field: "expiresAt", ...EXPIRY_REFUSALS[r.reason] } };
}
