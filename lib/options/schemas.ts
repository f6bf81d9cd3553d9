import { z } from "zod";
import { ZText } from "@/lib/text";
import {
  DEFAULT_COMPLETION_RATIO,
  DEFAULT_MODEL_PRICE,
  DEFAULT_MODEL_RATIO,
  DEFAULT_CACHE_RATIO,
  DEFAULT_CACHE_WRITE_1H_RATIO,
  DEFAULT_CACHE_WRITE_RATIO,
  DEFAULT_TOOL_CALL_PRICE,
} from "./default-prices";

/**
 * An IANA zone the runtime knows whose offset is whole hours in winter and summer: its days then
 * start on an hour, so whole days of the daily rollups and whole hours of the hourly ones tile.
 */
function isWholeHourZone(tz: string): boolean {
  try {
    const f = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" });
    return [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)].every((t) => {
      const name = f.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "";
      return /^GMT(?:[+-]\d\d:00)?$/.test(name);
    });
  } catch {
    return false;
  }
}

// Every admin setting: its zod schema and its default. Stored as strings in the
// options table; JSON maps are stored as JSON text.
const ZRatio = z.number().finite().min(0, "must be ≥ 0").max(1e6, "is too large");
const ZRatioMap = z.record(ZText.min(1).max(128), ZRatio);
const ZHttpUrl = ZText.max(2048)
  .url("must be a URL")
  .refine((u) => /^https?:\/\//i.test(u), {
    message: "must start with http:// or https://",
    params: { i18n: "options.error.http" },
  });
/** an e-mail address whose domain has a dot */
const EMAIL_ADDRESS = /^[^\s@<>"]+@[^\s@<>".]+(\.[^\s@<>".]+)+$/;
/** the sender of notification e-mails: "" (not set), "alerts@example.com" or "Name <alerts@example.com>" */
export function isEmailSender(v: string): boolean {
  if (EMAIL_ADDRESS.test(v)) return true;
  const m = /^([^<>"\r\n]*?)\s*<([^<>]+)>$/.exec(v);
  return m !== null && m[1].trim() !== "" && EMAIL_ADDRESS.test(m[2]);
}
const ZQuota = z.number().int("must be a whole number").min(0, "must be ≥ 0").max(Number.MAX_SAFE_INTEGER);

// No LogConsumeEnabled: consume logs are the ledger (audit, idempotency), so they are always written.
export const OPTION_SCHEMAS = {
  QuotaPerUnit: z.number().int().min(1).max(1e12),
  QuotaForNewUser: ZQuota,
  QuotaForInviter: ZQuota,
  QuotaForInvitee: ZQuota,
  /** misnamed in new-api: a token count floor for the pre-charge estimate */
  PreConsumedQuota: z.number().int().min(0).max(1e9),
  QuotaRemindThreshold: ZQuota,
  /** balances strictly above this (user and limited key) skip the hold in trust mode */
  TrustQuota: ZQuota,
  PreConsumeMode: z.enum(["trust", "always"]),
  /** the lease of a reservation: how long a hold lives without being renewed */
  ReservationTtlSeconds: z.number().int().min(10).max(86400),
  /** how often a node renews the leases of the requests it is serving (capped at a third of the TTL) */
  ReservationRenewSeconds: z.number().int().min(1).max(3600),
  /** how often the sweeper returns the holds of expired leases */
  ReservationSweepSeconds: z.number().int().min(1).max(3600),
  ModelRatio: ZRatioMap,
  CompletionRatio: ZRatioMap,
  ModelPrice: ZRatioMap,
  CacheRatio: ZRatioMap,
  /** prompt-cache writes with the 5-minute TTL, relative to the input price (model → ratio) */
  CacheWriteRatio: ZRatioMap,
  /** prompt-cache writes with the 1-hour TTL, relative to the input price (model → ratio) */
  CacheWrite1hRatio: ZRatioMap,
  /** hosted tool calls (web_search, file_search, code_interpreter, image_generation): USD per 1,000 calls */
  ToolCallPrice: ZRatioMap,
  GroupRatio: ZRatioMap,
  GroupGroupRatio: z.record(ZText.min(1), ZRatioMap),
  UserUsableGroups: z.record(ZText.min(1).max(64), ZText.max(200)),
  SelfUseModeEnabled: z.boolean(),
  EnableFreeModelPreConsume: z.boolean(),
  DisplayTokenStatEnabled: z.boolean(),
  QuotaDisplayType: z.enum(["USD", "CNY", "TOKENS"]),
  USDExchangeRate: z.number().positive().max(1e6),
  RegisterEnabled: z.boolean(),
  RetryTimes: z.number().int().min(0).max(10),
  MaxUserTokens: z.number().int().min(1).max(100000),
  SystemName: ZText.min(1).max(64),
  ServerAddress: z.union([z.literal(""), ZHttpUrl]),
  /** where the wallet sends users to buy credit (an external shop); empty = no link */
  TopUpLink: z.union([z.literal(""), ZHttpUrl]),
  /** the From of notification e-mails; a bare address is sent as "SystemName <address>" */
  NotifyEmailFrom: ZText.trim()
    .max(254)
    .refine((v) => v === "" || isEmailSender(v), {
      message: 'must be an e-mail address or "Name <address>"',
      params: { i18n: "options.error.sender" },
    }),
  NotifyAllowPrivateTargets: z.boolean(),
  /** channel base URLs may reach loopback and private networks (local model servers); link-local and metadata never */
  ChannelPrivateAddressesAllowed: z.boolean(),
  /**
   * the zone whose days the daily usage rollups count (charts by day, stats over whole days); a
   * change applies to the days settled from then on
   */
  StatsTimeZone: ZText.max(64).refine(isWholeHourZone, {
    message: "must be a time zone whose offset is whole hours",
    params: { i18n: "options.error.zone" },
  }),
} as const;

export type OptionKey = keyof typeof OPTION_SCHEMAS;
export type Options = { [K in OptionKey]: z.infer<(typeof OPTION_SCHEMAS)[K]> };

export const OPTION_DEFAULTS: Options = {
  QuotaPerUnit: 500_000,
  QuotaForNewUser: 0,
  QuotaForInviter: 0,
  QuotaForInvitee: 0,
  PreConsumedQuota: 500,
  QuotaRemindThreshold: 1000,
  TrustQuota: 5_000_000,
  PreConsumeMode: "trust",
  ReservationTtlSeconds: 120,
  ReservationRenewSeconds: 30,
  ReservationSweepSeconds: 30,
  ModelRatio: DEFAULT_MODEL_RATIO,
  CompletionRatio: DEFAULT_COMPLETION_RATIO,
  ModelPrice: DEFAULT_MODEL_PRICE,
  CacheRatio: DEFAULT_CACHE_RATIO,
  CacheWriteRatio: DEFAULT_CACHE_WRITE_RATIO,
  CacheWrite1hRatio: DEFAULT_CACHE_WRITE_1H_RATIO,
  ToolCallPrice: DEFAULT_TOOL_CALL_PRICE,
  GroupRatio: { default: 1, vip: 1, svip: 1 },
  GroupGroupRatio: {},
  UserUsableGroups: { default: "Default group", vip: "VIP group" },
  SelfUseModeEnabled: false,
  EnableFreeModelPreConsume: true,
  DisplayTokenStatEnabled: true,
  QuotaDisplayType: "USD",
  USDExchangeRate: 7.3,
  RegisterEnabled: true,
  RetryTimes: 0,
  MaxUserTokens: 1000,
  SystemName: "Tollgate",
  ServerAddress: "",
  TopUpLink: "",
  NotifyEmailFrom: "",
  NotifyAllowPrivateTargets: false,
  ChannelPrivateAddressesAllowed: true,
  StatsTimeZone: "UTC",
};

export function isOptionKey(key: string): key is OptionKey {
  return Object.hasOwn(OPTION_SCHEMAS, key);
}

/** The stored text of a value: JSON for every type, so "1" and 1 and true round-trip. */
export const encodeOption = (value: unknown): string => JSON.stringify(value);

/**
 * Parses text from the CLI, an admin form or the table. Strings may be given bare (`trust`),
 * everything else as JSON (`500000`, `true`, `{"gpt-4o":1.25}`).
 */
export function parseOptionValue<K extends OptionKey>(key: K, text: string): z.ZodSafeParseResult<Options[K]> {
  let raw: unknown = text;
  try {
    raw = JSON.parse(text);
  } catch {
    // a bare string such as `trust`
  }
  const schema = OPTION_SCHEMAS[key] as unknown as z.ZodType<Options[K]>;
  const first = schema.safeParse(raw);
  if (!first.success && typeof raw !== "string") {
    const asString = schema.safeParse(text);
    if (asString.success) return asString;
  }
  return first;
}
