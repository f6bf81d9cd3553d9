import type { OptionKey, Options } from "./schemas";

// The admin settings page's sections and how an option's value becomes the text of its field
// (JSON maps pretty-printed, one entry a line, so an error's line number is easy to find).

export const SETTINGS_SECTIONS = {
  quota: ["QuotaPerUnit", "QuotaForNewUser", "QuotaForInviter", "QuotaForInvitee", "QuotaRemindThreshold"],
  billing: ["TrustQuota", "PreConsumeMode"],
  pricing: [
    "ModelRatio",
    "CompletionRatio",
    "ModelPrice",
    "CacheRatio",
    "CacheWriteRatio",
    "CacheWrite1hRatio",
    "ToolCallPrice",
    "GroupRatio",
    "GroupGroupRatio",
    "UserUsableGroups",
  ],
  display: [
    "QuotaDisplayType",
    "USDExchangeRate",
    "RegisterEnabled",
    "ServerAddress",
    "TopUpLink",
    "StatsTimeZone",
    "NotifyEmailFrom",
  ],
  network: ["ChannelPrivateAddressesAllowed", "NotifyAllowPrivateTargets"],
} as const satisfies Record<string, readonly OptionKey[]>;

export type SettingsSection = keyof typeof SETTINGS_SECTIONS;
export type SettingsKey = (typeof SETTINGS_SECTIONS)[SettingsSection][number];

function optionText(value: unknown): string {
  if (value !== null && typeof value === "object") return JSON.stringify(value, null, 2);
  return String(value);
}

/** every option of the page as the text of its field */
export function settingsTexts(o: Options): Record<SettingsKey, string> {
  const out = {} as Record<SettingsKey, string>;
  for (const keys of Object.values(SETTINGS_SECTIONS)) for (const k of keys) out[k] = optionText(o[k]);
  return out;
}
