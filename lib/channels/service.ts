import "server-only";
import { db, Prisma } from "@/lib/db";
import { AppError, notFound, validationError } from "@/lib/errors";
import { invalidate } from "@/lib/cache/bus";
import { checkHost } from "@/lib/net/resolve";
import { getOptions } from "@/lib/options/service";
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

/**
 * Refuses a base URL whose host is, or resolves to, an address channels may not use: link-local
 * and cloud metadata always, loopback and private networks when ChannelPrivateAddressesAllowed is
 * off (lib/net). The relay checks again at connection time; this is the admin's clear error.
 */
async function assertBaseUrlAllowed(baseUrl: string): Promise<void> {
  const { ChannelPrivateAddressesAllowed } = await getOptions();
  const check = await checkHost(new URL(baseUrl).hostname, { allowPrivate: ChannelPrivateAddressesAllowed });
  if (check.ok) return;
  const unresolvable = check.reason.endsWith("could not be resolved");
  const message = unresolvable ? `Base URL: ${check.reason}` : `Base URL may not point there: ${check.reason}`;
  throw new AppError(unresolvable ? "channel_host_unresolvable" : "channel_address_forbidden", message, 400, {
    baseUrl: [message],
  });
}

export async function createChannel(input: TCreateChannelInput): Promise<ChannelDto> {
  const parsed = ZCreateChannelInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  await assertBaseUrlAllowed(v.baseUrl);
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
  if (rest.baseUrl !== undefined) await assertBaseUrlAllowed(rest.baseUrl);
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
