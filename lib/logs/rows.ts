import type { LogRow } from "./search";

// What the log pages send to the browser. A user gets their rows without the operator's fields
// (channel, upstream request id, client IP, the raw `other`); the admin gets all of it.

/** the fields of `other` a user sees: the pricing inputs and the facts of the charge */
const USER_OTHER_FIELDS = [
  "model_ratio",
  "completion_ratio",
  "cache_ratio",
  "cache_write_5m_ratio",
  "cache_write_1h_ratio",
  "tool_prices",
  "model_price",
  "group_ratio",
  "user_group_ratio",
  "quota_per_unit",
  "billing_mode",
  "cache_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "reasoning_tokens",
  "tool_calls",
  "usage_source",
  "frt",
  "request_path",
  "settled_after_expiry",
  "expired",
  "estimate",
  "held_quota",
] as const;

export type LogRowDTO = {
  id: string;
  createdAt: string;
  type: number;
  content: string;
  tokenName: string;
  modelName: string;
  group: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** integer quota, as text */
  quota: string;
  /** seconds */
  useTime: number;
  isStream: boolean;
  requestId: string | null;
  /** the pricing inputs and facts of the charge (USER_OTHER_FIELDS) */
  other: Record<string, unknown>;
};

export type AdminLogRowDTO = LogRowDTO & {
  userId: number;
  username: string;
  channelId: number | null;
  channelName: string | null;
  upstreamRequestId: string;
  ip: string;
  /** the whole `other` as stored */
  rawOther: Record<string, unknown>;
};

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function toUserLogRow(r: LogRow): LogRowDTO {
  const other = r.other ?? {};
  const picked: Record<string, unknown> = {};
  for (const k of USER_OTHER_FIELDS) if (other[k] !== undefined) picked[k] = other[k];
  return {
    id: r.id.toString(),
    createdAt: r.created_at.toISOString(),
    type: r.type,
    content: r.content,
    tokenName: r.token_name,
    modelName: r.model_name,
    group: r.group,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    cachedTokens: num(other.cache_tokens),
    quota: r.quota.toString(),
    useTime: r.use_time,
    isStream: r.is_stream,
    requestId: r.request_id,
    other: picked,
  };
}

export function toAdminLogRow(r: LogRow): AdminLogRowDTO {
  return {
    ...toUserLogRow(r),
    userId: r.user_id,
    username: r.username,
    channelId: r.channel_id,
    channelName: r.channel_name,
    upstreamRequestId: r.upstream_request_id,
    ip: r.ip,
    rawOther: r.other ?? {},
  };
}
