import "server-only";
import { db, Prisma } from "@/lib/db";
import { notFound, validationError } from "@/lib/errors";
import { invalidate } from "@/lib/cache/bus";
import { CHANNEL_SELECT, toChannelDto, type ChannelDto } from "./queries";
import { CHANNELS_TOPIC } from "./topics";
import {
  ZChannelIdsInput,
  ZChannelStatusInput,
  ZCreateChannelInput,
  ZUpdateChannelInput,
  type TCreateChannelInput,
  type TUpdateChannelInput,
} from "./schemas";

// Admin management of upstream channels. Every write tells the routing cache of every node
// (lib/channels/routing.ts) through the cache bus.

export { CHANNELS_TOPIC };

export async function createChannel(input: TCreateChannelInput): Promise<ChannelDto> {
  const parsed = ZCreateChannelInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const row = await db.channel.create({
    data: {
      name: v.name,
      baseUrl: v.baseUrl,
      key: v.key,
      status: v.status,
      models: v.models,
      groups: v.groups,
      priority: v.priority,
      weight: v.weight,
      modelMapping: v.modelMapping as Prisma.InputJsonValue,
    },
    select: CHANNEL_SELECT,
  });
  invalidate(CHANNELS_TOPIC);
  return toChannelDto(row);
}

export async function updateChannel(input: TUpdateChannelInput): Promise<ChannelDto> {
  const parsed = ZUpdateChannelInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { id, key, modelMapping, ...rest } = parsed.data;
  const data: Prisma.ChannelUpdateInput = { ...rest };
  if (key) data.key = key;
  if (modelMapping !== undefined) data.modelMapping = modelMapping as Prisma.InputJsonValue;
  try {
    const row = await db.channel.update({ where: { id }, data, select: CHANNEL_SELECT });
    invalidate(CHANNELS_TOPIC);
    return toChannelDto(row);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2025") throw notFound("Channel");
    throw e;
  }
}

export async function setChannelStatus(input: { id: number; status: 1 | 2 }): Promise<ChannelDto> {
  const parsed = ZChannelStatusInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return updateChannel({ id: parsed.data.id, status: parsed.data.status });
}

export async function deleteChannels(input: { ids: number[] }): Promise<{ deleted: number }> {
  const parsed = ZChannelIdsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { count } = await db.channel.deleteMany({ where: { id: { in: parsed.data.ids } } });
  invalidate(CHANNELS_TOPIC);
  return { deleted: count };
}
