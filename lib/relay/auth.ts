import { hashKeyBody, keyBody } from "@/lib/keys/crypto";
import { forgetKey, getKeyByHash, reloadKey, type CachedKey } from "@/lib/keys/cache";
import { ipAllowed } from "@/lib/keys/ip";
import { TOKEN_STATUS } from "@/lib/keys/schemas";
import { markKeyExhausted, markKeyExpired } from "@/lib/keys/status";
import type { Options } from "@/lib/options/schemas";
import { matchingModelName } from "@/lib/quota/pricing";
import { usableGroups } from "@/lib/users/groups";
import { RelayError } from "./errors";

// Key checks of every relay call, in the order of SPEC §5 / reference §6.4, each failure with its
// own code: key present → found → enabled → not expired → not exhausted (unless unlimited) →
// client IP allowed → user enabled → group usable; the model check follows once the body is read.

export type RelayKey = {
  key: CachedKey;
  /** the group the request is routed and priced in: the key's group, else the user's */
  usingGroup: string;
  /** an admin's `sk-<key>-<channel id>` */
  forcedChannelId: number | null;
};

/**
 * The key of a request (reference §6.4): `Authorization: Bearer sk-…` (or the bare key); on the
 * /v1/models routes an `x-api-key` header wins. Returns the raw text, or null when there is none.
 */
export function extractKey(headers: Headers, pathname: string): string | null {
  if (pathname.startsWith("/v1/models") || pathname.startsWith("/v1/messages")) {
    const x = headers.get("x-api-key");
    if (x && x.trim()) return x.trim();
  }
  const auth = headers.get("authorization");
  if (!auth) return null;
  const v = auth.trim().replace(/^bearer(\s+|$)/i, "").trim();
  return v || null;
}

/** `sk-<48>` or `sk-<48>-<channel id>` -> body and optional channel id */
export function splitKey(raw: string): { body: string | null; channelId: number | null } {
  const text = raw.startsWith("sk-") ? raw.slice(3) : raw;
  const dash = text.indexOf("-");
  if (dash === -1) return { body: keyBody(text), channelId: null };
  const suffix = text.slice(dash + 1);
  const channelId = /^\d{1,9}$/.test(suffix) ? Number(suffix) : NaN;
  return { body: Number.isNaN(channelId) ? null : keyBody(text.slice(0, dash)), channelId: Number.isNaN(channelId) ? null : channelId };
}

const invalidKey = () => new RelayError(401, "invalid_api_key", "Invalid API key");

export async function authenticateKey(
  headers: Headers,
  pathname: string,
  clientIp: string,
  options: Options,
): Promise<RelayKey> {
  const raw = extractKey(headers, pathname);
  if (!raw) {
    throw new RelayError(401, "missing_api_key", "No API key provided: send it as `Authorization: Bearer sk-…`");
  }
  const { body, channelId } = splitKey(raw);
  if (!body) throw invalidKey();
  const hash = hashKeyBody(body);
  let key = await getKeyByHash(hash);
  if (!key) throw invalidKey();

  for (let attempt = 0; ; attempt++) {
    const verdict = keyVerdict(key, Math.floor(Date.now() / 1000));
    if (verdict === "ok") break;
    if (verdict === "disabled") throw statusError(key.status);
    // persist status 3 / 4 (SPEC §5); the conditional UPDATE re-checks in the database, so a stale
    // cached copy (a top-up or a refund since) never disables a valid key: reload and check again
    const persisted = verdict === "expired" ? await markKeyExpired(key.id) : await markKeyExhausted(key.id);
    if (persisted || attempt > 0) throw statusError(verdict === "expired" ? TOKEN_STATUS.expired : TOKEN_STATUS.exhausted);
    key = await reloadKey(hash);
    if (!key) throw invalidKey();
  }

  if (key.ipRules) {
    if (clientIp === "unknown") throw new RelayError(403, "client_ip_unknown", "The client IP address could not be determined");
    if (!ipAllowed(key.ipRules, clientIp)) {
      throw new RelayError(403, "ip_not_allowed", `Your IP ${clientIp} is not in this API key's list of allowed addresses`);
    }
  }
  if (key.user.status !== 1) throw new RelayError(403, "user_banned", "User has been banned");

  let usingGroup = key.user.group;
  if (key.group) {
    if (!(key.group in usableGroups(options, key.user.group))) {
      throw new RelayError(403, "group_not_usable", `No access to group ${key.group}`);
    }
    if (!Object.hasOwn(options.GroupRatio, key.group)) {
      throw new RelayError(403, "group_deprecated", `Group ${key.group} has been deprecated`);
    }
    usingGroup = key.group;
  }
  if (channelId !== null && key.user.role < 10) {
    throw new RelayError(403, "channel_pin_forbidden", "Only administrators may choose a channel");
  }
  return { key, usingGroup, forcedChannelId: channelId };
}

function keyVerdict(key: CachedKey, now: number): "ok" | "disabled" | "expired" | "exhausted" {
  if (key.status !== TOKEN_STATUS.enabled) return "disabled";
  if (key.expiredTime !== -1 && key.expiredTime < now) return "expired";
  if (!key.unlimitedQuota && key.remainQuota <= 0n) return "exhausted";
  return "ok";
}

/** a key whose stored status is not "enabled" */
function statusError(status: number): RelayError {
  if (status === TOKEN_STATUS.expired) return new RelayError(401, "token_expired", "This API key has expired");
  if (status === TOKEN_STATUS.exhausted) return new RelayError(401, "token_exhausted", "This API key has used up its quota");
  return new RelayError(401, "token_disabled", "This API key is disabled");
}

/** The key's model allow-list (an enabled but empty list allows nothing). */
export function assertModelAllowed(key: CachedKey, model: string): void {
  if (key.modelLimitsEnabled && !key.modelLimits.has(matchingModelName(model))) {
    throw new RelayError(403, "model_not_allowed", `This API key has no access to model ${model}`);
  }
}

/** The reserve step found the key's budget short: the cached balance was stale. */
export function keyBalanceWasStale(key: CachedKey): void {
  forgetKey(key.id);
}
