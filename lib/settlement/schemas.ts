import { z } from "zod";
import { ZText } from "@/lib/text";

// Bodies of the settlement API. Token counts are whole numbers; ids are strings of
// digits (a bigint does not survive every JSON client).

const ZTokens = z
  .number()
  .int("must be a whole number")
  .min(0, "cannot be negative")
  .max(2_000_000_000, "is too large");
const ZRequestId = z
  .string()
  .min(1, "is required")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9_.:-]+$/, "may contain letters, digits and _ . : - only");
const ZReservationId = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, "must be a reservation id (digits)")
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= 9_223_372_036_854_775_807n, "must be a reservation id (digits)");

export const ZReserveBody = z.object({
  key: ZText.min(1, "is required").max(128),
  model: ZText.min(1, "is required").max(128),
  request_id: ZRequestId,
  prompt_tokens: ZTokens.optional(),
  max_tokens: ZTokens.optional(),
  /** the end user's address, checked against the key's IP allow-list when given */
  client_ip: ZText.max(64).optional(),
});

const ZRef = {
  reservation_id: ZReservationId.optional(),
  request_id: ZRequestId.optional(),
};
const oneRef = (v: { reservation_id?: string; request_id?: string }) =>
  v.reservation_id !== undefined || v.request_id !== undefined;
const oneRefMessage = { message: "give reservation_id or request_id", path: ["reservation_id"] };

export const ZSettleBody = z
  .object({
    ...ZRef,
    usage: z.object({
      prompt_tokens: ZTokens,
      completion_tokens: ZTokens,
      cached_tokens: ZTokens.optional(),
    }),
    is_stream: z.boolean().optional(),
    use_time_ms: z.number().int().min(0).max(86_400_000).optional(),
  })
  .refine(oneRef, oneRefMessage);

export const ZRefundBody = z.object({ ...ZRef, reason: ZText.max(500).optional() }).refine(oneRef, oneRefMessage);

export const ZRenewBody = z.object({ ...ZRef }).refine(oneRef, oneRefMessage);
