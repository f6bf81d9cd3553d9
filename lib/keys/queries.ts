import "server-only";
import { db, type Db } from "@/lib/db";
import { getRoutingSnapshot } from "@/lib/channels/routing";
import { getOptions } from "@/lib/options/service";
import { isModelPriced } from "@/lib/quota/pricing";
import { usableGroups } from "@/lib/users/groups";
import { maskKey } from "./crypto";
import { isExpired } from "./expiry";
import { TOKEN_STATUS, type KeyState } from "./schemas";

/** A key as the portal shows it: never the key itself, amounts as decimal strings of quota. */
export type KeyDTO = {
  id: number;
  name: string;
  maskedKey: string;
  /** stored status: 1 enabled, 2 disabled, 3 expired, 4 exhausted */
  status: number;
  /** the status a person should see (a key past its expiry reads expired before the relay stores it) */
  state: KeyState;
  remainQuota: string;
  unlimitedQuota: boolean;
  usedQuota: string;
  /** unix seconds, -1 = never */
  expiredTime: number;
  group: string;
  crossGroupRetry: boolean;
  modelLimits: string[];
  allowIps: string;
  createdAt: string;
  /** null = never used */
  accessedAt: string | null;
};

export const KEY_SELECT = {
  id: true,
  name: true,
  keyPrefix: true,
  keyLast4: true,
  status: true,
  remainQuota: true,
  unlimitedQuota: true,
  usedQuota: true,
  expiredTime: true,
  group: true,
  crossGroupRetry: true,
  modelLimitsEnabled: true,
  modelLimits: true,
  allowIps: true,
  createdAt: true,
  accessedAt: true,
} as const;

type KeyRow = {
  id: number;
  name: string;
  keyPrefix: string;
  keyLast4: string;
  status: number;
  remainQuota: bigint;
  unlimitedQuota: boolean;
  usedQuota: bigint;
  expiredTime: bigint;
  group: string;
  crossGroupRetry: boolean;
  modelLimitsEnabled: boolean;
  modelLimits: string;
  allowIps: string;
  createdAt: Date;
  accessedAt: Date | null;
};

export function keyState(
  row: Pick<KeyRow, "status" | "expiredTime" | "unlimitedQuota" | "remainQuota">,
  nowSec = Math.floor(Date.now() / 1000),
): KeyState {
  if (row.status === TOKEN_STATUS.disabled) return "disabled";
  if (row.status === TOKEN_STATUS.expired) return "expired";
  if (row.status === TOKEN_STATUS.exhausted) return "exhausted";
  if (isExpired(Number(row.expiredTime), nowSec)) return "expired";
  if (!row.unlimitedQuota && row.remainQuota <= 0n) return "exhausted";
  return "enabled";
}

export function toKeyDTO(row: KeyRow): KeyDTO {
  return {
    id: row.id,
    name: row.name,
    maskedKey: maskKey(row.keyPrefix, row.keyLast4),
    status: row.status,
    state: keyState(row),
    remainQuota: row.remainQuota.toString(),
    unlimitedQuota: row.unlimitedQuota,
    usedQuota: row.usedQuota.toString(),
    expiredTime: Number(row.expiredTime),
    group: row.group,
    crossGroupRetry: row.crossGroupRetry,
    modelLimits: row.modelLimitsEnabled
      ? row.modelLimits
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    allowIps: row.allowIps,
    createdAt: row.createdAt.toISOString(),
    accessedAt: row.accessedAt ? row.accessedAt.toISOString() : null,
  };
}

export type KeyListDTO = { keys: KeyDTO[]; max: number };

/** Every key of a user, newest first (at most MaxUserTokens of them). */
export async function listKeys(userId: number, client: Db = db): Promise<KeyListDTO> {
  const [rows, o] = await Promise.all([
    client.token.findMany({ where: { userId }, select: KEY_SELECT, orderBy: { id: "desc" } }),
    getOptions(),
  ]);
  return { keys: rows.map(toKeyDTO), max: o.MaxUserTokens };
}

export type KeyFormOptionsDTO = {
  /** the groups a key may pin, with their descriptions; "" (the user's own group) is always allowed */
  groups: { name: string; description: string }[];
  userGroup: string;
  /** models each group can reach (served by an enabled channel, and priced unless unpriced models are allowed) */
  modelsByGroup: Record<string, string[]>;
};

/** What the create and edit dialogs offer: the user's usable groups and the models they reach. */
export async function getKeyFormOptions(user: { id: number; group: string }): Promise<KeyFormOptionsDTO> {
  const [o, snapshot, row] = await Promise.all([
    getOptions(),
    getRoutingSnapshot(),
    db.user.findUnique({ where: { id: user.id }, select: { setting: true } }),
  ]);
  const setting = (row?.setting ?? {}) as Record<string, unknown>;
  const anyPrice = o.SelfUseModeEnabled || setting.accept_unset_model_ratio_model === true;
  const usable = usableGroups(o, user.group);
  // a group that no longer has a ratio is deprecated: the relay refuses keys pinned to it
  const names = Object.keys(usable).filter((g) => g === user.group || g in o.GroupRatio);
  const modelsByGroup: Record<string, string[]> = {};
  for (const g of names) {
    const served = snapshot.modelsByGroup.get(g) ?? new Set<string>();
    modelsByGroup[g] = [...served].filter((m) => anyPrice || isModelPriced(o, m)).sort();
  }
  return {
    groups: names.map((name) => ({ name, description: usable[name] })),
    userGroup: user.group,
    modelsByGroup,
  };
}
