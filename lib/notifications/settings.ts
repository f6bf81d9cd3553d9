import "server-only";
import { invalidate } from "@/lib/cache/bus";
import { db } from "@/lib/db";
import { AppError, parseOrThrow, translatedError } from "@/lib/errors";
import { literalRefusal } from "@/lib/net/address";
import { getOptions } from "@/lib/options/service";
import { rearmLowBalance } from "@/lib/quota/credits";
import { displayOf, parseAmount, quotaToInput } from "@/lib/quota/money";
import { MAX_QUOTA } from "@/lib/quota/schemas";
import { targetPolicy } from "./http";
import {
  gotifyPriority,
  NOTIFY_TYPES,
  ZNotifySettingsForm,
  type NotifyType,
  type StoredUserSetting,
  type TNotifySettingsForm,
} from "./schemas";

// A user's notification preferences and the two account toggles of the settings page, kept in
// users.setting (JSON, new-api's key names). A save MERGES: it writes the keys it was given in one
// `setting || patch` UPDATE and never rebuilds the object, so fields the form did not show
// (and anything another page stores there) survive — new-api's save wiped them.

export type NotifySettingsDTO = {
  notifyType: NotifyType;
  /** quota, as decimal digits; null = the system default */
  thresholdQuota: string | null;
  /** QuotaRemindThreshold, the default when the user sets none */
  defaultThresholdQuota: string;
  /** the threshold as the form shows it (display unit), "" = default */
  threshold: string;
  notificationEmail: string;
  accountEmail: string;
  webhookUrl: string;
  /** the secret itself never leaves the server: whether one is set and its last characters */
  webhookSecretHint: string | null;
  barkUrl: string;
  gotifyUrl: string;
  gotifyTokenHint: string | null;
  gotifyPriority: number;
  spendAlertQuota: string | null;
  spendAlert: string;
  language: "en" | "zh" | null;
  recordIpLog: boolean;
  acceptUnpricedModels: boolean;
};

const hint = (secret: unknown) =>
  typeof secret === "string" && secret !== "" ? `••••${secret.length > 8 ? secret.slice(-4) : ""}` : null;

export function readSetting(raw: unknown): StoredUserSetting {
  return raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as StoredUserSetting) : {};
}

function notifyTypeOf(s: StoredUserSetting): NotifyType {
  return (NOTIFY_TYPES as readonly string[]).includes(s.notify_type ?? "") ? (s.notify_type as NotifyType) : "email";
}

const positiveQuota = (v: unknown): bigint | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 1 ? BigInt(Math.trunc(v)) : null;

export async function getNotifySettings(userId: number): Promise<NotifySettingsDTO> {
  const [row, o] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { setting: true, email: true } }),
    getOptions(),
  ]);
  if (!row) throw new AppError("user_not_found", "User not found", 404);
  const s = readSetting(row.setting);
  const display = displayOf(o);
  const threshold = positiveQuota(s.quota_warning_threshold);
  const spend = positiveQuota(s.spend_alert_quota);
  return {
    notifyType: notifyTypeOf(s),
    thresholdQuota: threshold?.toString() ?? null,
    defaultThresholdQuota: String(o.QuotaRemindThreshold),
    threshold: threshold ? quotaToInput(threshold, display) : "",
    notificationEmail: typeof s.notification_email === "string" ? s.notification_email : "",
    accountEmail: row.email,
    webhookUrl: typeof s.webhook_url === "string" ? s.webhook_url : "",
    webhookSecretHint: hint(s.webhook_secret),
    barkUrl: typeof s.bark_url === "string" ? s.bark_url : "",
    gotifyUrl: typeof s.gotify_url === "string" ? s.gotify_url : "",
    gotifyTokenHint: hint(s.gotify_token),
    gotifyPriority: gotifyPriority(s.gotify_priority ?? 5),
    spendAlertQuota: spend?.toString() ?? null,
    spendAlert: spend ? quotaToInput(spend, display) : "",
    language: s.language === "en" || s.language === "zh" ? s.language : null,
    recordIpLog: s.record_ip_log === true,
    acceptUnpricedModels: s.accept_unset_model_ratio_model === true,
  };
}

function amountToQuota(field: string, text: string, display: ReturnType<typeof displayOf>): bigint {
  const parsed = parseAmount(text, display, MAX_QUOTA);
  if (!parsed.ok || parsed.quota <= 0n || parsed.quota > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw translatedError("validation", "Not a valid amount", 400, { key: "keys.error.amountFormat", field });
  }
  return parsed.quota;
}

/**
 * Validates and merges a save. Fields left out keep their stored value; "" clears an optional
 * field (threshold and spend limit back to off/default); an empty secret or token keeps the stored one.
 */
export async function saveNotifySettings(userId: number, input: TNotifySettingsForm): Promise<NotifySettingsDTO> {
  const v = parseOrThrow(ZNotifySettingsForm, input);
  const display = displayOf(await getOptions());
  const patch: StoredUserSetting = {};
  const remove: string[] = [];
  if (v.notifyType !== undefined) patch.notify_type = v.notifyType;
  if (v.threshold !== undefined) {
    if (v.threshold === "") remove.push("quota_warning_threshold");
    else patch.quota_warning_threshold = Number(amountToQuota("threshold", v.threshold, display));
  }
  if (v.spendAlert !== undefined) {
    if (v.spendAlert === "") remove.push("spend_alert_quota");
    else patch.spend_alert_quota = Number(amountToQuota("spendAlert", v.spendAlert, display));
  }
  if (v.notificationEmail !== undefined) patch.notification_email = v.notificationEmail;
  if (v.webhookUrl !== undefined) patch.webhook_url = v.webhookUrl;
  if (v.clearWebhookSecret) remove.push("webhook_secret");
  else if (v.webhookSecret) patch.webhook_secret = v.webhookSecret;
  if (v.barkUrl !== undefined) patch.bark_url = v.barkUrl;
  if (v.gotifyUrl !== undefined) patch.gotify_url = v.gotifyUrl.replace(/\/+$/, "");
  if (v.gotifyToken) patch.gotify_token = v.gotifyToken;
  if (v.gotifyPriority !== undefined && v.gotifyPriority !== "") patch.gotify_priority = Number(v.gotifyPriority);
  if (v.language !== undefined) patch.language = v.language;
  if (v.recordIpLog !== undefined) patch.record_ip_log = v.recordIpLog;
  if (v.acceptUnpricedModels !== undefined) patch.accept_unset_model_ratio_model = v.acceptUnpricedModels;

  // an address that can never be reached is refused now, with the reason (names are checked at send time)
  const policy = await targetPolicy();
  for (const field of ["webhookUrl", "barkUrl", "gotifyUrl"] as const) {
    const url = v[field];
    if (!url) continue;
    const refused = literalRefusal(new URL(url.replace(/\{\{(title|content)\}\}/g, "x")).hostname, policy);
    if (refused) {
      throw translatedError("target_not_allowed", `This address is ${refused}`, 400, {
        key: "settings.error.target",
        vars: { reason: refused },
        field,
      });
    }
  }

  await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ setting: unknown }[]>`
      UPDATE users SET setting = (setting || ${JSON.stringify(patch)}::jsonb) - ${remove}::text[]
      WHERE id = ${userId} RETURNING setting`;
    if (!rows.length) throw new AppError("user_not_found", "User not found", 404);
    const merged = readSetting(rows[0].setting);
    // the chosen channel needs its address: checked on the merged settings, so a save that leaves
    // the URL out (it is stored) passes, and one that switches to a channel never set up does not
    const type = notifyTypeOf(merged);
    const missing =
      type === "webhook" && !merged.webhook_url
        ? (["webhookUrl", "Webhook URL cannot be empty", "settings.error.webhookEmpty"] as const)
        : type === "bark" && !merged.bark_url
          ? (["barkUrl", "Bark URL cannot be empty", "settings.error.barkEmpty"] as const)
          : type === "gotify" && !merged.gotify_url
            ? (["gotifyUrl", "Gotify URL cannot be empty", "settings.error.gotifyEmpty"] as const)
            : type === "gotify" && !merged.gotify_token
              ? (["gotifyToken", "Gotify token cannot be empty", "settings.error.gotifyToken"] as const)
              : null;
    if (missing) throw translatedError("validation", missing[1], 400, { key: missing[2], field: missing[0] });
    // a threshold lowered under the balance re-arms the alert, as a credit would
    await rearmLowBalance(tx, userId);
  });
  // the relay's user cache holds record_ip_log and accept_unset_model_ratio_model
  invalidate("user", userId);
  return getNotifySettings(userId);
}
