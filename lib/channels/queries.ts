import "server-only";
import { db, type Prisma } from "@/lib/db";
import { maskChannelKey } from "./mask";

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
  usedQuota: string;
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
  usedQuota: true,
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
    usedQuota: r.usedQuota.toString(),
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

export async function getChannel(id: number): Promise<ChannelDto | null> {
  const row = await db.channel.findUnique({ where: { id }, select: CHANNEL_SELECT });
  return row ? toChannelDto(row) : null;
}
