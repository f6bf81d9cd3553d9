import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { invalidate, onInvalidate } from "@/lib/cache/bus";
import { getOptions } from "@/lib/options/service";
import { onBalanceChange } from "@/lib/quota/events";
import { RESERVATION_STATUS } from "@/lib/quota/schemas";
import { usableGroups } from "@/lib/users/groups";
import { hashKeyBody, keyBody } from "./crypto";
import { compileIpRules, ipAllowed, parseIp, type IpRule } from "@/lib/net/ip";
import { TOKEN_STATUS } from "./schemas";

// Who is calling with an `sk-` key, and may they. Used by the relay and
// the settlement API. Lookups are cached in process (a hit costs no database round trip): entries
// are dropped on every node when a key or user changes (bus topics "key" and "user"), patched with
// the balances a settle returns, and reloaded after CACHE_MS at the latest. A load that an
// invalidation overtook is used once but not cached, so a change is never hidden for CACHE_MS.

const CACHE_MS = 30_000;

export type KeyRecord = {
  tokenId: number;
  name: string;
  status: number;
  expiredTime: number;
  remainQuota: bigint;
  unlimitedQuota: boolean;
  /** when remainQuota and user.quota were last read from the database (a load, a reserve or a settle) */
  balancesAt: number;
  modelLimitsEnabled: boolean;
  modelLimits: Set<string>;
  ipRules: IpRule[];
  group: string;
  userId: number;
  user: {
    status: number;
    group: string;
    username: string;
    acceptUnpricedModels: boolean;
    recordIpLog: boolean;
    /** the wallet when loaded, kept by this key's reserves and settles; may lag a credit made on another node */
    quota: bigint;
  };
};

export type AuthorizedKey = KeyRecord & {
  /** the group the request is billed and routed in: the key's group, else the user's */
  usingGroup: string;
};

type Entry = { record: KeyRecord | null; at: number };
const byHash = new Map<string, Entry>();
/** tokenId -> hash, so a settle patches its key without scanning the cache */
const hashByToken = new Map<number, string>();
/** bumped by every invalidation: a load that started before one must not be cached */
let generation = 0;
let wired = false;

function wire() {
  if (wired) return;
  wired = true;
  const dropWhere = (pred: (r: KeyRecord) => boolean) => {
    generation++;
    for (const [hash, e] of byHash) {
      if (e.record && pred(e.record)) {
        byHash.delete(hash);
        hashByToken.delete(e.record.tokenId);
      }
    }
  };
  const clearAll = () => {
    generation++;
    byHash.clear();
    hashByToken.clear();
  };
  onInvalidate("key", (id) => (id === "*" ? clearAll() : dropWhere((r) => r.tokenId === Number(id))));
  onInvalidate("user", (id) => (id === "*" ? clearAll() : dropWhere((r) => r.userId === Number(id))));
  onBalanceChange((c) => {
    if (c.tokenRemain !== undefined && c.tokenRemain !== null && c.tokenId) {
      // a settle returned the new remain: keep the entry, fresh
      const hash = hashByToken.get(c.tokenId);
      const e = hash === undefined ? undefined : byHash.get(hash);
      if (e?.record?.tokenId === c.tokenId) {
        e.record.remainQuota = c.tokenRemain;
        if (c.userQuota !== undefined && c.userQuota !== null) {
          e.record.user.quota = c.userQuota;
          e.record.balancesAt = Date.now();
        }
      }
    } else if (c.kind !== "reserve" && c.kind !== "settle") {
      // credits, refunds, sweeps: reload the user's keys on next use
      dropWhere((r) => r.userId === c.userId);
    }
  });
}

async function load(hash: string): Promise<KeyRecord | null> {
  const t = await db.token.findUnique({
    where: { keyHash: hash },
    select: {
      id: true,
      name: true,
      status: true,
      expiredTime: true,
      remainQuota: true,
      unlimitedQuota: true,
      modelLimitsEnabled: true,
      modelLimits: true,
      allowIps: true,
      group: true,
      userId: true,
      user: { select: { status: true, group: true, username: true, setting: true, quota: true } },
    },
  });
  if (!t) return null;
  const setting = (t.user.setting ?? {}) as Record<string, unknown>;
  return {
    tokenId: t.id,
    name: t.name,
    status: t.status,
    expiredTime: Number(t.expiredTime),
    remainQuota: t.remainQuota,
    unlimitedQuota: t.unlimitedQuota,
    balancesAt: Date.now(),
    modelLimitsEnabled: t.modelLimitsEnabled,
    modelLimits: new Set(
      t.modelLimits
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    ipRules: compileIpRules(t.allowIps),
    group: t.group,
    userId: t.userId,
    user: {
      status: t.user.status,
      group: t.user.group,
      username: t.user.username,
      acceptUnpricedModels: setting.accept_unset_model_ratio_model === true,
      recordIpLog: setting.record_ip_log === true,
      quota: t.user.quota,
    },
  };
}

/** The cached record of a key (by its text, with or without "sk-"), or null when unknown. */
export async function findKey(rawKey: string, bypassCache = false): Promise<KeyRecord | null> {
  wire();
  const body = keyBody(rawKey);
  if (!body) return null;
  const hash = hashKeyBody(body);
  const hit = byHash.get(hash);
  if (hit && !bypassCache && Date.now() - hit.at < CACHE_MS) return hit.record;
  const startedAt = generation;
  const record = await load(hash);
  if (startedAt === generation) {
    byHash.set(hash, { record, at: Date.now() });
    if (record) hashByToken.set(record.tokenId, hash);
  }
  return record;
}

/**
 * Persists status 3 / 4. The UPDATE re-checks the condition in the database, so a stale cached
 * copy (another node's hold since refunded, a credit) never disables a key that is still valid:
 * false means the key is fine after all and the caller reloads it. A key whose budget is only
 * taken by holds of requests in flight is not exhausted: those holds may come back.
 */
async function markStatus(record: KeyRecord, status: number): Promise<boolean> {
  const n =
    status === TOKEN_STATUS.expired
      ? await db.$executeRaw`UPDATE tokens SET status = ${status} WHERE id = ${record.tokenId} AND status = ${TOKEN_STATUS.enabled}
          AND expired_time <> -1 AND expired_time < ${Math.floor(Date.now() / 1000)}`
      : await db.$executeRaw`UPDATE tokens SET status = ${status} WHERE id = ${record.tokenId} AND status = ${TOKEN_STATUS.enabled}
          AND NOT unlimited_quota AND remain_quota <= 0
          AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.token_id = tokens.id AND r.status = ${RESERVATION_STATUS.open} AND r.held_quota > 0)`;
  invalidate("key", record.tokenId);
  return n > 0;
}

/** how often a node records that a key was used ("last used" in the portal): at most once a minute */
const TOUCH_MS = 60_000;
const touchedAt = new Map<number, number>();

/**
 * Records the use of a key, off the request's path: at most one UPDATE per key and node a minute
 * (the in-process map), and none when another node recorded one within the minute.
 */
function touch(tokenId: number): void {
  const now = Date.now();
  const last = touchedAt.get(tokenId);
  if (last !== undefined && now - last < TOUCH_MS) return;
  if (touchedAt.size > 50_000) {
    for (const [id, at] of touchedAt) if (now - at >= TOUCH_MS) touchedAt.delete(id);
  }
  touchedAt.set(tokenId, now);
  db.$executeRaw`UPDATE tokens SET accessed_at = now()
      WHERE id = ${tokenId} AND (accessed_at IS NULL OR accessed_at < now() - interval '1 minute')`.catch((e) =>
    console.error("recording a key's last use failed", e),
  );
}

/**
 * The checks of every route that takes an `sk-` key, in order, each failure with its own code: key
 * present → found → enabled → not expired → not exhausted → client IP allowed → user enabled →
 * group usable → model allowed. Expired and exhausted keys are persisted as status 3 / 4.
 * `readOnly` (a key reading its own usage, /api/usage/token): expired and exhausted keys pass, and
 * only the IP allow-list and the user's status are checked after the key's own status.
 */
export async function authorizeKey(
  rawKey: string | null | undefined,
  ctx: { clientIp?: string; model?: string; readOnly?: boolean },
  /** internal: the cached copy proved stale; read the key from the database */
  reload = false,
): Promise<AuthorizedKey> {
  if (!rawKey) throw new AppError("missing_api_key", "No API key provided; send Authorization: Bearer sk-…", 401);
  const record = await findKey(rawKey, reload);
  if (!record) throw new AppError("invalid_api_key", "Invalid API key", 401);
  if (record.status === TOKEN_STATUS.disabled) throw new AppError("token_disabled", "This API key is disabled", 401);
  if (ctx.readOnly) {
    assertIpAllowed(record.ipRules, ctx.clientIp);
    if (record.user.status !== 1) throw new AppError("user_banned", "User has been banned", 403);
    return { ...record, usingGroup: record.group && record.group !== "auto" ? record.group : record.user.group };
  }
  if (record.status === TOKEN_STATUS.expired) throw new AppError("token_expired", "This API key has expired", 401);
  if (record.status === TOKEN_STATUS.exhausted)
    throw new AppError("token_exhausted", "This API key's quota is used up", 401);
  if (record.status !== TOKEN_STATUS.enabled) throw new AppError("token_disabled", "This API key is not usable", 401);
  if (record.expiredTime !== -1 && record.expiredTime < Date.now() / 1000) {
    if ((await markStatus(record, TOKEN_STATUS.expired)) || reload)
      throw new AppError("token_expired", "This API key has expired", 401);
    return authorizeKey(rawKey, ctx, true);
  }
  if (!record.unlimitedQuota && record.remainQuota <= 0n) {
    if (await markStatus(record, TOKEN_STATUS.exhausted))
      throw new AppError("token_exhausted", "This API key's quota is used up", 401);
    if (reload) {
      // the rest of the budget is held by requests in flight: refused now, not marked exhausted
      throw new AppError(
        "pre_consume_token_quota_failed",
        "token quota is not enough: the rest of this key's budget is held by requests in progress",
        403,
      );
    }
    return authorizeKey(rawKey, ctx, true);
  }
  assertIpAllowed(record.ipRules, ctx.clientIp);
  if (record.user.status !== 1) throw new AppError("user_banned", "User has been banned", 403);
  let usingGroup = record.user.group;
  if (record.group && record.group !== "auto") {
    const o = await getOptions();
    if (!(record.group in usableGroups(o, record.user.group))) {
      throw new AppError("group_not_usable", `No access to group ${record.group}`, 403);
    }
    if (!(record.group in o.GroupRatio))
      throw new AppError("group_deprecated", `Group ${record.group} has been deprecated`, 403);
    usingGroup = record.group;
  }
  if (ctx.model !== undefined && record.modelLimitsEnabled && !record.modelLimits.has(ctx.model)) {
    throw new AppError("model_not_allowed", `This API key has no access to model ${ctx.model}`, 403);
  }
  touch(record.tokenId);
  return { ...record, usingGroup };
}

/**
 * A key's IP allow-list (no rules: any address): the one check of every route that takes
 * an `sk-` key, authorizeKey's and /api/usage/token's.
 */
function assertIpAllowed(ipRules: IpRule[], clientIp: string | undefined): void {
  if (ipRules.length === 0) return;
  if (!clientIp || !parseIp(clientIp))
    throw new AppError("ip_not_allowed", "Cannot determine the client IP address", 403);
  if (!ipAllowed(ipRules, clientIp))
    throw new AppError("ip_not_allowed", `IP ${clientIp} is not in this key's allow-list`, 403);
}

/** test helper */
export function clearKeyCache(): void {
  touchedAt.clear();
  byHash.clear();
  hashByToken.clear();
}
