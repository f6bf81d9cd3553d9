import "server-only";
import { db, Prisma } from "@/lib/db";
import { AppError, notFound, translatedError, validationError } from "@/lib/errors";
import { invalidate } from "@/lib/cache/bus";
import { checkHost } from "@/lib/net/resolve";

import { getOptions } from "@/lib/options/service";
import { knownGroups } from "@/lib/users/groups";
import { CLI_OPERATOR, recordAdminAction, type AuditOperator } from "@/lib/audit/service";
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

// Admin management of upstream channels. Every write records an audit row in its transaction (the
// key masked by the trail) and, after the commit, tells the routing cache of every node
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

/**
 * Refuses groups no user can be in (neither user-usable nor given a ratio): a channel serving only
 * such a group would never be routed to, and a typo would silently take it out of service.
 */
async function assertKnownGroups(groups: string[]): Promise<void> {
  const known = knownGroups(await getOptions());
  const unknown = groups.filter((g) => !known.includes(g));
  if (!unknown.length) return;
  const list = unknown.map((g) => `“${g}”`).join(", ");
  throw translatedError("unknown_group", `Unknown group ${list}`, 400, {
    key: "channels.error.unknownGroups",
    vars: { groups: list },
    field: "groups",
  });
}

/** what the trail keeps of a channel: every field an admin sets (the key is masked by its name) */
function auditOf(r: {
  name: string;
  baseUrl: string;
  key: string;
  status: number;
  models: string[];
  groups: string[];
  priority: number;
  weight: number;
  modelMapping: unknown;
  dialect: string;
}) {
  const { name, baseUrl, key, status, models, groups, priority, weight, modelMapping, dialect } = r;
  return { name, baseUrl, key, status, models, groups, priority, weight, modelMapping, dialect };
}

export async function createChannel(
  input: TCreateChannelInput,
  operator: AuditOperator = CLI_OPERATOR,
): Promise<ChannelDto> {
  const parsed = ZCreateChannelInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  await assertKnownGroups(v.groups);
  await assertBaseUrlAllowed(v.baseUrl);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.channel.create({
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
        dialect: v.dialect,
      },
      select: CHANNEL_SELECT,
    });
    await recordAdminAction(tx, operator, {
      action: "channel.create",
      targetType: "channel",
      targetId: created.id,
      after: auditOf(created),
    });
    return created;
  });
  invalidate(CHANNELS_TOPIC);
  return toChannelDto(row);
}

export async function updateChannel(
  input: TUpdateChannelInput,
  operator: AuditOperator = CLI_OPERATOR,
  action = "channel.update",
): Promise<ChannelDto> {
  const parsed = ZUpdateChannelInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { id, key, modelMapping, ...rest } = parsed.data;
  if (rest.groups !== undefined) await assertKnownGroups(rest.groups);
  if (rest.baseUrl !== undefined) await assertBaseUrlAllowed(rest.baseUrl);
  const data: Prisma.ChannelUpdateInput = { ...rest };
  if (key) data.key = key;
  if (modelMapping !== undefined) data.modelMapping = modelMapping as Prisma.InputJsonValue;
  const row = await db.$transaction(async (tx) => {
    // locked, so the before of the trail is what this update replaced
    await tx.$executeRaw`SELECT 1 FROM channels WHERE id = ${id} FOR UPDATE`;
    const before = await tx.channel.findUnique({ where: { id }, select: CHANNEL_SELECT });
    if (!before) throw notFound("Channel");
    const after = await tx.channel.update({ where: { id }, data, select: CHANNEL_SELECT });
    await recordAdminAction(tx, operator, {
      action,
      targetType: "channel",
      targetId: id,
      before: auditOf(before),
      after: auditOf(after),
    });
    return after;
  });
  invalidate(CHANNELS_TOPIC);
  return toChannelDto(row);
}

export async function setChannelStatus(
  input: { id: number; status: 1 | 2 },
  operator: AuditOperator = CLI_OPERATOR,
): Promise<ChannelDto> {
  const parsed = ZChannelStatusInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return updateChannel({ id: parsed.data.id, status: parsed.data.status }, operator, "channel.status");
}

export async function deleteChannels(
  input: { ids: number[] },
  operator: AuditOperator = CLI_OPERATOR,
): Promise<{ deleted: number }> {
  const parsed = ZChannelIdsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const count = await db.$transaction(async (tx) => {
    const rows = await tx.channel.findMany({ where: { id: { in: parsed.data.ids } }, select: CHANNEL_SELECT });
    const { count } = await tx.channel.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
    for (const r of rows) {
      await recordAdminAction(tx, operator, {
        action: "channel.delete",
        targetType: "channel",
        targetId: r.id,
        before: auditOf(r),
      });
    }
    return count;
  });
  invalidate(CHANNELS_TOPIC);
  return { deleted: count };
}

/** the last failure of a channel, for the admin's list: at most one write per channel per 10 s */
const ERROR_WRITE_INTERVAL_MS = 10_000;
const lastErrorWrite = new Map<number, number>();

export async function recordChannelError(
  channelId: number,
  message: string,
  opts: { force?: boolean } = {},
): Promise<void> {
  const now = Date.now();
  if (!opts.force && now - (lastErrorWrite.get(channelId) ?? 0) < ERROR_WRITE_INTERVAL_MS) return;
  lastErrorWrite.set(channelId, now);
  if (lastErrorWrite.size > 10_000) lastErrorWrite.clear();
  await db.channel.updateMany({
    where: { id: channelId },
    data: { lastError: message.slice(0, 300), lastErrorAt: new Date(now) },
  });
}
