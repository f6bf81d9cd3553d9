import "server-only";
import { db, type Prisma } from "@/lib/db";
import { maskChannelKey } from "./mask";
import type { Dialect } from "./schemas";

/** What admins see of a channel: the key masked, quota as a decimal string. */
export type ChannelDto = {
  id: number;
  name: string;
  type: number;
  baseUrl: string;
  maskedKey: string;
  status: number;
  models: string[];
  groups: string[];
  priority: number;
  weight: number;
  modelMapping: Record<string, string>;
  dialect: Dialect;
  usedQuota: string;
  /** the last failure of a relay call or a test through this channel ("" = none yet) */
  lastError: string;
  lastErrorAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export const CHANNEL_SELECT = {
  id: true,
  name: true,
  type: true,
  baseUrl: true,
  key: true,
  status: true,
  models: true,
  groups: true,
  priority: true,
  weight: true,
  modelMapping: true,
  dialect: true,
  usedQuota: true,
  lastError: true,
  lastErrorAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Row = Prisma.ChannelGetPayload<{ select: typeof CHANNEL_SELECT }>;

export function toChannelDto(r: Row): ChannelDto {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    baseUrl: r.baseUrl,
    maskedKey: maskChannelKey(r.key),
    status: r.status,
    models: r.models,
    groups: r.groups,
    priority: r.priority,
    weight: r.weight,
    modelMapping: (r.modelMapping ?? {}) as Record<string, string>,
    dialect: r.dialect === "anthropic" ? "anthropic" : "openai",
    usedQuota: r.usedQuota.toString(),
    lastError: r.lastError,
    lastErrorAt: r.lastErrorAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export async function listChannels(
  filter: { status?: number; group?: string; model?: string } = {},
): Promise<ChannelDto[]> {
  const rows = await db.channel.findMany({
    where: {
      ...(filter.status !== undefined ? { status: filter.status } : {}),
      ...(filter.group ? { groups: { has: filter.group } } : {}),
      ...(filter.model ? { models: { has: filter.model } } : {}),
    },
    orderBy: [{ priority: "desc" }, { id: "asc" }],
    select: CHANNEL_SELECT,
  });
  return rows.map(toChannelDto);
}

/** a channel in the admin's list: with the requests it served (from the daily rollups) */
export type AdminChannelDto = ChannelDto & { requestCount: string };

/** Every channel with its request count: one grouped read of the daily rollups, never the logs. */
export async function listChannelsWithStats(): Promise<AdminChannelDto[]> {
  const [channels, counts] = await Promise.all([
    listChannels(),
    db.usageTotalDaily.groupBy({ by: ["channelId"], _sum: { requestCount: true } }),
  ]);
  const byId = new Map(counts.map((c) => [c.channelId, c._sum.requestCount ?? 0n]));
  return channels.map((c) => ({ ...c, requestCount: (byId.get(c.id) ?? 0n).toString() }));
}
