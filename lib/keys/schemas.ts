import { z } from "zod";
import { ZText } from "@/lib/text";
import { invalidIpEntries } from "@/lib/net/ip";
import { EXPIRY_PRESETS } from "./expiry";
import { ZQuotaAmount } from "@/lib/quota/schemas";

export const TOKEN_STATUS = { enabled: 1, disabled: 2, expired: 3, exhausted: 4 } as const;
/** what the portal shows: the stored status, or expired / exhausted when a check has not stored it yet */
export type KeyState = "enabled" | "disabled" | "expired" | "exhausted";

// Messages are English (the CLI prints them); `params.i18n` names the portal's text (lib/i18n).
const ZModelList = z
  .union([z.array(ZText), ZText])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
  .transform((v) => [...new Set(v)])
  .refine((v) => v.every((m) => m.length <= 128), {
    message: "Model names must be at most 128 characters",
    params: { i18n: "keys.error.modelName" },
  })
  .refine((v) => v.length <= 1000, "At most 1000 models");

const ZKeyName = ZText.trim()
  .min(1, "Name is required")
  .refine((s) => Buffer.byteLength(s, "utf8") <= 50, {
    message: "Token name is too long (at most 50 bytes)",
    params: { i18n: "keys.error.nameTooLong" },
  });

const ZAllowIps = ZText.max(4000, "IP list is too long").superRefine((v, ctx) => {
  const bad = invalidIpEntries(v);
  if (bad.length) {
    const entries = bad.slice(0, 3).join(", ");
    ctx.addIssue({
      code: "custom",
      message: `Not an IP address or CIDR: ${entries}`,
      params: { i18n: "keys.error.badIps", entries },
    });
  }
});

const ZGroup = ZText.trim().max(64);

export const ZKeyFields = z.object({
  name: ZKeyName,
  remainQuota: ZQuotaAmount.default(0n),
  unlimitedQuota: z.boolean().default(false),
  /** unix seconds, -1 = never */
  expiredTime: z.number().int().min(-1).default(-1),
  modelLimits: ZModelList.default([]),
  allowIps: ZAllowIps.default(""),
  group: ZGroup.default(""),
  crossGroupRetry: z.boolean().default(false),
});

export const ZCreateKeyInput = ZKeyFields.extend({
  count: z.number().int().min(1, "Create at least 1 key").max(100, "Create at most 100 keys at once").default(1),
});
export type TCreateKeyInput = z.input<typeof ZCreateKeyInput>;

// ---- the portal's forms: plain objects or FormData (strings), strict (an unknown field is an error)

/** a checkbox or switch: a boolean, or its FormData spelling */
const ZFormBool = z.union([
  z.boolean(),
  z.enum(["true", "false", "on", "off", "1", "0"]).transform((v) => v === "true" || v === "on" || v === "1"),
]);

/** a row id: a positive 32-bit integer, as a number or digits */
const ZId = z.coerce.number().int().positive().max(2_147_483_647);

const ZOptionalSeconds = z.preprocess(
  (v) => (v === "" || v === null ? undefined : v),
  z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
);

/**
 * An amount typed in the admin's display unit (USD, CNY or raw quota). The form of the number is
 * checked here, so its error shows with the others; the service converts it with the unit and
 * bounds it (lib/quota/money parseAmount).
 */
export const ZAmountText = z
  .string()
  .trim()
  .max(64)
  .superRefine((v, ctx) => {
    const clean = v.replace(/[\s,_]/g, "").replace(/^[$¥]/, "");
    if (clean === "") return;
    if (clean.startsWith("-"))
      ctx.addIssue({
        code: "custom",
        message: "The amount cannot be negative",
        params: { i18n: "keys.error.amountNegative" },
      });
    else if (!/^\+?(\d+(\.\d{0,6})?|\.\d{1,6})$/.test(clean)) {
      ctx.addIssue({ code: "custom", message: "Not a valid amount", params: { i18n: "keys.error.amountFormat" } });
    }
  });

const keyFormFields = {
  name: ZKeyName,
  unlimitedQuota: ZFormBool.default(false),
  remainAmount: ZAmountText.optional(),
  /** custom: `expiresAt` (unix seconds) */
  expiresAt: ZOptionalSeconds,
  modelLimits: ZModelList.default([]),
  allowIps: ZAllowIps.default(""),
  group: ZGroup.default(""),
  crossGroupRetry: ZFormBool.default(false),
};

export const ZCreateKeyForm = z.strictObject({
  ...keyFormFields,
  expiry: z.enum(EXPIRY_PRESETS).default("never"),
  count: z.coerce.number().int().min(1).max(100).default(1),
});
export type TCreateKeyForm = z.input<typeof ZCreateKeyForm>;

/** an edit: `remainAmount` left out keeps the budget as it is (requests may have spent from it meanwhile) */
export const ZUpdateKeyForm = z.strictObject({
  ...keyFormFields,
  id: ZId,
  expiry: z.enum([...EXPIRY_PRESETS, "keep"]).default("keep"),
});
export type TUpdateKeyForm = z.input<typeof ZUpdateKeyForm>;

export const ZKeyIdInput = z.strictObject({ id: ZId });
export const ZKeyStatusInput = z.strictObject({
  id: ZId,
  status: z.coerce.number().pipe(z.union([z.literal(TOKEN_STATUS.enabled), z.literal(TOKEN_STATUS.disabled)])),
});
export const ZKeyIdsInput = z.strictObject({
  ids: z.union([z.array(ZId), ZId.transform((id) => [id])]).pipe(z.array(z.number()).min(1).max(1000)),
});
