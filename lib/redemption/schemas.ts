import { z } from "zod";
import { ZText } from "@/lib/text";
import { ZPositiveQuota } from "@/lib/quota/schemas";

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
  code: z.string().trim().min(1, "Enter a redemption code").max(64, "A redemption code has 32 characters"),
});
export type TRedeemInput = z.input<typeof ZRedeemInput>;
