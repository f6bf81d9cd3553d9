import { z } from "zod";
import { ZText } from "@/lib/text";

const text = (max: number) =>
  ZText.trim()
    .max(max)
    .transform((s) => s || undefined);

export const AUDIT_TARGET_TYPES = ["user", "channel", "option", "redemption", "key", "system"] as const;

/** the audit page's filters (in its URL) and its keyset position */
export const ZAuditListInput = z.strictObject({
  /** the operator's username, exact */
  operator: text(32).optional(),
  /** an action, or its start ("user." = every user action) */
  action: text(64).optional(),
  targetType: z
    .union([z.enum(AUDIT_TARGET_TYPES), z.literal("")])
    .transform((v) => v || undefined)
    .optional(),
  targetId: text(128).optional(),
  /** the id of the last row shown: the rows older than it */
  cursor: z
    .string()
    .regex(/^\d{1,19}$/)
    .nullish(),
});
export type TAuditListInput = z.input<typeof ZAuditListInput>;
