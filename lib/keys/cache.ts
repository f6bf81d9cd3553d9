import "server-only";
import { db } from "@/lib/db";
import { invalidate, onInvalidate } from "@/lib/cache/bus";
import { onBalanceChange } from "@/lib/quota/events";
import { matchingModelName } from "@/lib/quota/pricing";
import { compileIpRules, type IpRule } from "./ip";

// The relay's key lookup: SHA-256 of the key body -> the key and its owner, cached in process so
// that a request with a known key costs no database round trip.
//
// Freshness:
//  - entries live TTL_MS (KEY_MISS_TTL_MS for unknown keys), then the next request reloads them;
//  - `invalidate("key", tokenId)` (key edited, disabled, deleted, regenerated, status persisted) and
//    `invalidate("user", userId)` (user disabled, group changed, deleted) drop entries at once, on
//    every node when REDIS_URL is set (lib/cache/bus). The key and user services must call them —
//    `invalidateKeyCache` / `invalidateUserCache` below are the names to use;
//  - after a balance change (lib/quota/events) the cached remain_quota is updated when the new
//    value is known (the relay's own settle) and the entry is dropped otherwise (refunds, sweeps).
// The cached remain_quota is only used to refuse an exhausted key early; the database has the last
// word twice: the hold of tollgate_reserve is conditional, and persisting status 4 re-checks.

export const KEY_TOPIC = "key";
export const USER_TOPIC = "user";

const TTL_MS = 30_000;
const KEY_MISS_TTL_MS = 5_000;
const MAX_ENTRIES = 100_000;

export type CachedKey = {
  id: number;
  userId: number;
  name: string;
  status: number;
  /** unix seconds, -1 = never */
  expiredTime: number;
  remainQuota: bigint;
  unlimitedQuota: boolean;
  modelLimitsEnabled: boolean;
  /** model names as matched by pricing (gizmo names collapsed) */
  modelLimits: ReadonlySet<string>;
  /** null when the key has no IP restriction */
  ipRules: IpRule[] | null;
  group: string;
  crossGroupRetry: boolean;
  user: {
    id: number;
    username: string;
    status: number;
    group: string;
    role: number;
    /** setting.accept_unset_model_ratio_model */
    acceptUnpriced: boolean;
    /** setting.record_ip_log */
    recordIp: boolean;
  };
};

type Entry = { key: CachedKey | null; expiresAt: number };

type State = {
  byHash: Map<string, Entry>;
  hashById: Map<number, string>;
  /** bumped by every invalidation, so a load that started before it is not cached */
  generation: number;
  loading: Map<string, Promise<CachedKey | null>>;
  subscribed: boolean;
};
const g = globalThis as unknown as { tollgateKeyCache?: State };
const state: State = (g.tollgateKeyCache ??= {
  byHash: new Map(),
  hashById: new Map(),
  generation: 0,
  loading: new Map(),
  subscribed: false,
});

function subscribe() {
  if (state.subscribed) return;
  state.subscribed = true;
  onInvalidate(KEY_TOPIC, (id) => (id === "*" ? clearKeyCache() : dropKey(Number(id))));
  onInvalidate(USER_TOPIC, (id) => (id === "*" ? clearKeyCache() : dropUser(Number(id))));
  onBalanceChange((change) => {
    if (change.kind === "settle" || change.kind === "reserve") return; // the relay patches its own (noteKeyRemain)
    if (change.tokenId != null) dropKey(change.tokenId, false);
  });
}

function dropKey(tokenId: number, bump = true) {
  if (bump) state.generation++;
  const hash = state.hashById.get(tokenId);
  if (hash === undefined) return;
  state.hashById.delete(tokenId);
  state.byHash.delete(hash);
}

function dropUser(userId: number) {
  state.generation++;
  for (const [hash, e] of state.byHash) {
    if (e.key?.userId === userId) {
      state.byHash.delete(hash);
      state.hashById.delete(e.key.id);
    }
  }
}

export function clearKeyCache(): void {
  state.generation++;
  state.byHash.clear();
  state.hashById.clear();
}

/** call after changing a key (any field, its status, or deleting it) */
export function invalidateKeyCache(tokenId: number): void {
  invalidate(KEY_TOPIC, tokenId);
}

/** call after changing a user's status, group, role or settings, or deleting the user */
export function invalidateUserCache(userId: number): void {
  invalidate(USER_TOPIC, userId);
}

/** The relay learnt the key's balance from its own settle: keep the cached copy in step. */
export function noteKeyRemain(tokenId: number, remainQuota: bigint | null): void {
  if (remainQuota === null) return;
  const hash = state.hashById.get(tokenId);
  const e = hash === undefined ? undefined : state.byHash.get(hash);
  if (e?.key) e.key = { ...e.key, remainQuota };
}

/** Forgets one key without telling other nodes (e.g. its cached balance proved stale). */
export function forgetKey(tokenId: number): void {
  dropKey(tokenId, false);
}

/** The key with this SHA-256 hash and its owner, or null. Cached; see above. */
export function getKeyByHash(hash: string): Promise<CachedKey | null> | CachedKey | null {
  subscribe();
  const e = state.byHash.get(hash);
  if (e && e.expiresAt > Date.now()) return e.key;
  let p = state.loading.get(hash);
  if (!p) {
    p = load(hash).finally(() => state.loading.delete(hash));
    state.loading.set(hash, p);
  }
  return p;
}

/** Reads the key from the database, bypassing and refreshing the cache. */
export async function reloadKey(hash: string): Promise<CachedKey | null> {
  subscribe();
  return load(hash);
}

type Row = {
  id: number;
  user_id: number;
  name: string;
  status: number;
  expired_time: bigint;
  remain_quota: bigint;
  unlimited_quota: boolean;
  model_limits_enabled: boolean;
  model_limits: string;
  allow_ips: string;
  group: string;
  cross_group_retry: boolean;
  username: string;
  user_status: number;
  user_group: string;
  role: number;
  setting: unknown;
};

async function load(hash: string): Promise<CachedKey | null> {
  const generation = state.generation;
  const rows = await db.$queryRaw<Row[]>`
    SELECT t.id, t.user_id, t.name, t.status, t.expired_time, t.remain_quota, t.unlimited_quota,
           t.model_limits_enabled, t.model_limits, t.allow_ips, t."group", t.cross_group_retry,
           u.username, u.status AS user_status, u."group" AS user_group, u.role, u.setting
    FROM tokens t JOIN users u ON u.id = t.user_id
    WHERE t.key_hash = ${hash}`;
  const key = rows.length ? toCachedKey(rows[0]) : null;
  if (generation === state.generation) {
    if (state.byHash.size >= MAX_ENTRIES) evictOldest();
    state.byHash.set(hash, { key, expiresAt: Date.now() + (key ? TTL_MS : KEY_MISS_TTL_MS) });
    if (key) state.hashById.set(key.id, hash);
  }
  return key;
}

function evictOldest() {
  let n = MAX_ENTRIES / 10;
  for (const [hash, e] of state.byHash) {
    state.byHash.delete(hash);
    if (e.key) state.hashById.delete(e.key.id);
    if (--n <= 0) break;
  }
}

function toCachedKey(r: Row): CachedKey {
  const setting = (r.setting && typeof r.setting === "object" ? r.setting : {}) as Record<string, unknown>;
  const limits = r.model_limits
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(matchingModelName);
  const ipRules = compileIpRules(r.allow_ips);
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    status: r.status,
    expiredTime: Number(r.expired_time),
    remainQuota: r.remain_quota,
    unlimitedQuota: r.unlimited_quota,
    modelLimitsEnabled: r.model_limits_enabled,
    modelLimits: new Set(limits),
    // entries that parse to nothing still mean "restricted": an allow-list of garbage allows nobody
    ipRules: ipRules.length || r.allow_ips.trim() ? ipRules : null,
    group: r.group,
    crossGroupRetry: r.cross_group_retry,
    user: {
      id: r.user_id,
      username: r.username,
      status: r.user_status,
      group: r.user_group,
      role: r.role,
      acceptUnpriced: setting.accept_unset_model_ratio_model === true,
      recordIp: setting.record_ip_log === true,
    },
  };
}
