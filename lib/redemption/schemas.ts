import { z } from "zod";
import { ZText } from "@/lib/text";
import { ZPositiveQuota } from "@/lib/quota/schemas";
import { ZAmountText } from "@/lib/keys/schemas";

export const ZCreateRedemptionsInput = z.object({
  name: ZText.trim().min(1, "Name is required").max(20, "Name must be at most 20 characters"),
  /** a code of quota 0 is refused (new-api silently turned it into 100) */
  quota: ZPositiveQuota,
  count: z.number().int().min(1, "Create at least 1 code").max(100, "Create at most 100 codes at once").default(1),
  /** unix seconds, 0 = never */
  expiredTime: z.number().int().min(0).default(0),
});
export type TCreateRedemptionsInput = z.input<typeof ZCreateRedemptionsInput>;

/** what a user types to redeem: trimmed, bounded; the service tells a malformed code from an unknown one */
export const ZRedeemInput = z.strictObject({
  code: ZText.trim().min(1, "Enter a redemption code").max(64, "A redemption code has 32 characters"),
});
export type TRedeemInput = z.input<typeof ZRedeemInput>;

/** the admin's batch form: the amount typed in the display unit, an optional expiry (unix seconds) */
export const ZCreateRedemptionBatchInput = z.strictObject({
  name: ZCreateRedemptionsInput.shape.name,
  amount: ZAmountText.pipe(z.string().min(1, "Enter an amount")),
  // one custom issue (not min/max): its text names codes, in both languages
  count: z
    .union([z.number(), z.string().max(12)])
    .transform(Number)
    .refine((n) => Number.isInteger(n) && n >= 1 && n <= 100, {
      message: "Create 1 to 100 codes at once",
      params: { i18n: "redemptions.error.count" },
    }),
  expiresAt: z.number().int().positive().nullish(),
});
export type TCreateRedemptionBatchInput = z.input<typeof ZCreateRedemptionBatchInput>;

/** what the admin's list shows: "expired" is derived (unused and past its expiry), as new-api */
export const REDEMPTION_STATES = ["unused", "used", "disabled", "expired"] as const;
export type RedemptionState = (typeof REDEMPTION_STATES)[number];

export const ZListRedemptionsInput = z.strictObject({
  state: z.enum(REDEMPTION_STATES).nullish(),
  name: ZText.trim().max(20).nullish(),
  cursor: z.number().int().positive().nullish(),
});

export const ZRedemptionIdInput = z.strictObject({ id: z.number().int().positive() });
