import { z } from "zod";
import { ZText } from "@/lib/text";

/** Largest amount a single credit, debit or key budget may carry: 1e9 USD at the default unit. */
export const MAX_QUOTA = 500_000_000_000_000n;

/** A positive whole amount of quota, given as a number, a digit string or a bigint. */
export const ZQuotaAmount = z
  .union([z.bigint(), z.number(), z.string().trim()])
  .transform((v, ctx) => {
    if (typeof v === "number" && !Number.isSafeInteger(v)) {
      ctx.addIssue({ code: "custom", message: "Amount must be a whole number" });
      return z.NEVER;
    }
    if (typeof v === "string" && !/^-?\d+$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "Amount must be a whole number" });
      return z.NEVER;
    }
    return BigInt(v);
  })
  .refine((v) => v >= 0n, "Amount cannot be negative")
  .refine((v) => v <= MAX_QUOTA, `Amount cannot exceed ${MAX_QUOTA}`);

export const ZPositiveQuota = ZQuotaAmount.refine((v) => v > 0n, "Amount must be greater than 0");

/** why an operator changed a wallet: required, kept in the manage log and the audit trail */
export const ZQuotaReason = ZText.trim()
  .min(1, "A reason is required")
  .max(255, "The reason must be at most 255 characters");

export const ZAdjustQuotaInput = z
  .object({
    userId: z.number().int().positive(),
    mode: z.enum(["add", "subtract", "set"]),
    amount: ZQuotaAmount,
    reason: ZQuotaReason,
  })
  .refine((v) => v.mode === "set" || v.amount > 0n, { message: "Amount must be greater than 0", path: ["amount"] });
export type TAdjustQuotaInput = z.input<typeof ZAdjustQuotaInput>;

/** the states of a reservation (docs/reservations.md); the SQL functions name them alike */
export const RESERVATION_STATUS = { open: 1, settled: 2, refunded: 3, expired: 4 } as const;
