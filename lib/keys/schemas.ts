import { z } from "zod";
import { ZText } from "@/lib/text";
import { invalidIpEntries } from "@/lib/net/ip";
import { ZQuotaAmount } from "@/lib/quota/schemas";

export const TOKEN_STATUS = { enabled: 1, disabled: 2, expired: 3, exhausted: 4 } as const;

const ZModelList = z
  .union([z.array(ZText), ZText])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
  .refine((v) => v.every((m) => m.length <= 128), "Model names must be at most 128 characters");

export const ZKeyFields = z.object({
  name: ZText.trim()
    .min(1, "Name is required")
    .refine((s) => Buffer.byteLength(s, "utf8") <= 50, "Token name is too long (at most 50 bytes)"),
  remainQuota: ZQuotaAmount.default(0n),
  unlimitedQuota: z.boolean().default(false),
  /** unix seconds, -1 = never */
  expiredTime: z.number().int().min(-1).default(-1),
  modelLimits: ZModelList.default([]),
  allowIps: ZText.max(4000, "IP list is too long")
    .default("")
    .superRefine((v, ctx) => {
      const bad = invalidIpEntries(v);
      if (bad.length) ctx.addIssue({ code: "custom", message: `Not an IP address or CIDR: ${bad.slice(0, 3).join(", ")}` });
    }),
  group: ZText.trim().max(64).default(""),
  crossGroupRetry: z.boolean().default(false),
});

export const ZCreateKeyInput = ZKeyFields.extend({
  count: z.number().int().min(1, "Create at least 1 key").max(100, "Create at most 100 keys at once").default(1),
});
export type TCreateKeyInput = z.input<typeof ZCreateKeyInput>;
