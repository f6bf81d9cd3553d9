import { z } from "zod";
import { ZText } from "@/lib/text";

// The notification settings form (low-balance and spend-rate alerts) and the outbox's vocabulary. Every
// field is optional: a save changes only the fields it sends and keeps the others
// (lib/notifications/settings.ts merges), unlike new-api's save, which rebuilt the JSON.

export const NOTIFY_TYPES = ["email", "webhook", "bark", "gotify"] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

export const NOTIFICATION_KINDS = ["quota_exceed", "spend_rate", "test"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_STATUS = {
  pending: "pending",
  sending: "sending",
  sent: "sent",
  failed: "failed",
  /** not sent on purpose: over the rate limit, or no address to send to */
  suppressed: "suppressed",
} as const;

const GOTIFY_DEFAULT_PRIORITY = 5;
/** long enough for any real secret or token; a 100 kB one is a mistake (or an attack) */
const MAX_SECRET_LENGTH = 512;
const MAX_URL_LENGTH = 2048;

const custom = (ctx: z.RefinementCtx, path: string, message: string, i18n: string) =>
  ctx.addIssue({ code: "custom", path: [path], message, params: { i18n } });

/** new-api's URL check: a parseable http(s) URL, or why not */
function urlProblem(value: string, invalid: { message: string; i18n: string }) {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return invalid;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return { message: "URL must start with http:// or https://", i18n: "settings.error.urlScheme" };
  if (u.username || u.password)
    return { message: "The URL cannot carry a user name or password", i18n: "settings.error.urlCredentials" };
  return null;
}

/** the address part after "@" must look like a domain: "a@b" is refused, "a@b.example" accepted */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** every text field of the form: NUL-free (PostgreSQL text cannot hold U+0000), trimmed, bounded */
const ZField = (max: number) => ZText.trim().max(max);

/** a secret or token: a named message when it is too long, not zod's generic one */
const ZSecret = (message: string, i18n: string) =>
  ZText.superRefine((v, ctx) => {
    if (v.length > MAX_SECRET_LENGTH)
      ctx.addIssue({ code: "custom", message, params: { i18n, max: MAX_SECRET_LENGTH } });
  });

/** an amount typed in the display unit that must be > 0 ("" = not set); converted by the service */
const ZPositiveAmountText = (message: string, i18n: string) =>
  ZText.trim()
    .max(64)
    .superRefine((v, ctx) => {
      const clean = v.replace(/[\s,_]/g, "").replace(/^[$¥]/, "");
      if (clean === "") return;
      if (/^-/.test(clean) || /^\+?0*(\.0*)?$/.test(clean)) ctx.addIssue({ code: "custom", message, params: { i18n } });
      else if (!/^\+?(\d+(\.\d{0,6})?|\.\d{1,6})$/.test(clean))
        ctx.addIssue({ code: "custom", message: "Not a valid amount", params: { i18n: "keys.error.amountFormat" } });
    });

export const ZNotifySettingsForm = z
  .strictObject({
    notifyType: ZText.optional(),
    /** in the display unit; "" = the system default (QuotaRemindThreshold) */
    threshold: ZPositiveAmountText("Warning threshold must be greater than 0", "settings.error.threshold").optional(),
    notificationEmail: ZField(254).optional(),
    webhookUrl: ZField(MAX_URL_LENGTH).optional(),
    /** "" or absent keeps the stored secret; `clearWebhookSecret` removes it */
    webhookSecret: ZSecret(
      `The secret is too long: at most ${MAX_SECRET_LENGTH} characters`,
      "settings.error.secretTooLong",
    ).optional(),
    clearWebhookSecret: z.boolean().optional(),
    barkUrl: ZField(MAX_URL_LENGTH).optional(),
    gotifyUrl: ZField(MAX_URL_LENGTH).optional(),
    /** "" or absent keeps the stored token */
    gotifyToken: ZSecret(
      `The token is too long: at most ${MAX_SECRET_LENGTH} characters`,
      "settings.error.tokenTooLong",
    )
      .transform((v) => v.trim())
      .optional(),
    gotifyPriority: z.union([z.number(), ZText.max(16)]).optional(),
    /** in the display unit per hour; "" = off */
    spendAlert: ZPositiveAmountText("The hourly limit must be greater than 0", "settings.error.spendAlert").optional(),
    language: z.enum(["en", "zh"]).optional(),
    recordIpLog: z.boolean().optional(),
    acceptUnpricedModels: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.notifyType !== undefined && !(NOTIFY_TYPES as readonly string[]).includes(v.notifyType))
      custom(ctx, "notifyType", "Invalid warning type", "settings.error.type");
    if (v.notificationEmail && !EMAIL.test(v.notificationEmail))
      custom(ctx, "notificationEmail", "Invalid email address", "settings.error.email");
    if (v.webhookUrl) {
      const p = urlProblem(v.webhookUrl, { message: "Invalid Webhook URL", i18n: "settings.error.webhookUrl" });
      if (p) custom(ctx, "webhookUrl", p.message, p.i18n);
    } else if (v.notifyType === "webhook" && v.webhookUrl === "")
      custom(ctx, "webhookUrl", "Webhook URL cannot be empty", "settings.error.webhookEmpty");
    if (v.barkUrl) {
      const p = urlProblem(v.barkUrl, { message: "Invalid Bark URL", i18n: "settings.error.barkUrl" });
      if (p) custom(ctx, "barkUrl", p.message, p.i18n);
      else if (!v.barkUrl.includes("{{title}}") && !v.barkUrl.includes("{{content}}"))
        custom(ctx, "barkUrl", "The Bark URL must contain {{title}} or {{content}}", "settings.error.barkPlaceholders");
    } else if (v.notifyType === "bark" && v.barkUrl === "")
      custom(ctx, "barkUrl", "Bark URL cannot be empty", "settings.error.barkEmpty");
    if (v.gotifyUrl) {
      const p = urlProblem(v.gotifyUrl, { message: "Invalid Gotify URL", i18n: "settings.error.gotifyUrl" });
      if (p) custom(ctx, "gotifyUrl", p.message, p.i18n);
    } else if (v.notifyType === "gotify" && v.gotifyUrl === "")
      custom(ctx, "gotifyUrl", "Gotify URL cannot be empty", "settings.error.gotifyEmpty");
    if (v.gotifyPriority !== undefined && v.gotifyPriority !== "") {
      const n = Number(v.gotifyPriority);
      if (!Number.isInteger(n) || n < 0 || n > 10)
        custom(ctx, "gotifyPriority", "Priority must be a whole number from 0 to 10", "settings.error.priority");
    }
  });
export type TNotifySettingsForm = z.input<typeof ZNotifySettingsForm>;

export const ZTestNotificationInput = z.strictObject({ channel: z.enum(NOTIFY_TYPES) });

/** the shape of users.setting as stored (new-api's key names, so exported settings stay familiar) */
export type StoredUserSetting = {
  notify_type?: string;
  quota_warning_threshold?: number;
  notification_email?: string;
  webhook_url?: string;
  webhook_secret?: string;
  bark_url?: string;
  gotify_url?: string;
  gotify_token?: string;
  gotify_priority?: number;
  spend_alert_quota?: number;
  language?: string;
  record_ip_log?: boolean;
  accept_unset_model_ratio_model?: boolean;
  [other: string]: unknown;
};

/** Gotify's priority: 0–10, anything else 5 (as new-api) */
export function gotifyPriority(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 10 ? n : GOTIFY_DEFAULT_PRIORITY;
}
