import "server-only";
import { db } from "@/lib/db";
import { AppError, translatedError, validationError } from "@/lib/errors";
import { invalidate } from "@/lib/cache/bus";
import { getOptions } from "@/lib/options/service";
import type { Options } from "@/lib/options/schemas";
import { setKeyRemainQuota } from "@/lib/quota/credits";
import { displayOf } from "@/lib/quota/money";
import { formatQuota } from "@/lib/quota/money";
import { usableGroups } from "@/lib/users/groups";
import { randomAlphanumeric } from "@/lib/random";
import { generateApiKey, keyParts, maskKey } from "./crypto";
import { isExpired } from "./expiry";
import { expiryFromForm, maxKeyQuota, remainFromForm, type FormRefusal } from "./form";
import { KEY_SELECT, toKeyDTO, type KeyDTO } from "./queries";
import {
  TOKEN_STATUS,
  ZCreateKeyForm,
  ZCreateKeyInput,
  ZKeyIdInput,
  ZKeyIdsInput,
  ZKeyStatusInput,
  ZUpdateKeyForm,
  type TCreateKeyForm,
  type TCreateKeyInput,
  type TUpdateKeyForm,
} from "./schemas";

// API keys of a user: create one or N, edit, enable/disable, delete one
// or many, regenerate. Every function is scoped to the owner: another user's key id reads as not
// found. A key's budget (remain_quota) is a balance, so an edit changes it through lib/quota.
// After every write the relay's cached copy of the key is dropped on every node.

export type CreatedKey = { id: number; name: string; key: string; maskedKey: string };

/** namespace of the per-user advisory lock that serialises key creation (the max_user_tokens count) */
const CREATE_LOCK = 0x6b657973; // "keys"

const nowSec = () => Math.floor(Date.now() / 1000);

const notFound = () => translatedError("token_not_found", "Key not found", 404, { key: "error.token_not_found" });

function refused(r: FormRefusal): AppError {
  return translatedError("validation", r.message, 400, { key: r.key, vars: r.vars, field: r.field });
}

function assertGroupUsable(o: Options, userGroup: string, group: string) {
  if (group && !(group in usableGroups(o, userGroup))) {
    throw translatedError("group_not_usable", `Group ${group} is not available to this user`, 403, {
      key: "error.group_not_usable",
      field: "group",
    });
  }
}

function assertRemainBounded(o: Options, unlimited: boolean, remain: bigint) {
  const max = maxKeyQuota(o.QuotaPerUnit);
  if (!unlimited && remain > max) {
    const shown = formatQuota(max, displayOf(o), 2);
    throw translatedError("validation", `Quota value exceeds valid range, maximum is ${shown}`, 400, {
      key: "keys.error.quotaTooLarge",
      vars: { max: shown },
      field: "remainAmount",
    });
  }
}

/**
 * Creates one or more keys for a user; the full keys are returned this once and never again.
 * Names after the first get a random suffix (as new-api's UI does). The count against
 * MaxUserTokens and the inserts run under a per-user lock, so two requests cannot both pass it.
 */
export async function createKeys(userId: number, input: TCreateKeyInput): Promise<CreatedKey[]> {
  const parsed = ZCreateKeyInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const o = await getOptions();
  const user = await db.user.findUnique({ where: { id: userId }, select: { group: true } });
  if (!user) throw new AppError("user_not_found", "User not found", 404);
  assertRemainBounded(o, v.unlimitedQuota, v.remainQuota);
  if (v.expiredTime !== -1 && v.expiredTime <= nowSec()) {
    throw translatedError("validation", "Expiry must be in the future", 400, {
      key: "keys.error.expiryPast",
      field: "expiresAt",
    });
  }
  assertGroupUsable(o, user.group, v.group);
  const created = Array.from({ length: v.count }, (_, i) => {
    const key = generateApiKey();
    return { key, name: i === 0 ? v.name : `${v.name}-${randomAlphanumeric(6)}`, ...keyParts(key) };
  });
  const rows = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CREATE_LOCK}::int, ${userId}::int)`;
    const existing = await tx.token.count({ where: { userId } });
    if (existing + v.count > o.MaxUserTokens) {
      throw translatedError(
        "max_tokens_reached",
        `You can have at most ${o.MaxUserTokens} keys (you have ${existing})`,
        400,
        {
          key: "keys.error.maxReached",
          vars: { max: o.MaxUserTokens, count: existing },
          field: v.count > 1 ? "count" : undefined,
        },
      );
    }
    return tx.token.createManyAndReturn({
      data: created.map((c) => ({
        userId,
        name: c.name,
        keyHash: c.hash,
        keyPrefix: c.prefix,
        keyLast4: c.last4,
        remainQuota: v.remainQuota,
        grantedQuota: v.remainQuota,
        unlimitedQuota: v.unlimitedQuota,
        expiredTime: BigInt(v.expiredTime),
        modelLimitsEnabled: v.modelLimits.length > 0,
        modelLimits: v.modelLimits.join(","),
        allowIps: v.allowIps,
        group: v.group,
        crossGroupRetry: v.crossGroupRetry,
      })),
      select: { id: true, keyHash: true },
    });
  });
  const idByHash = new Map(rows.map((r) => [r.keyHash, r.id]));
  return created.map((c) => ({
    id: idByHash.get(c.hash)!,
    name: c.name,
    key: c.key,
    maskedKey: maskKey(c.prefix, c.last4),
  }));
}

/** The create dialog: the budget typed in the display unit and an expiry preset, then createKeys. */
export async function createKeysFromForm(userId: number, form: TCreateKeyForm): Promise<CreatedKey[]> {
  const parsed = ZCreateKeyForm.safeParse(form);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const o = await getOptions();
  const remain = remainFromForm(v.remainAmount, displayOf(o), { creating: true, unlimited: v.unlimitedQuota });
  if (!remain.ok) throw refused(remain.refusal);
  const expiry = expiryFromForm(v.expiry, nowSec(), v.expiresAt);
  if (!expiry.ok) throw refused(expiry.refusal);
  return createKeys(userId, {
    name: v.name,
    count: v.count,
    remainQuota: remain.quota ?? 0n,
    unlimitedQuota: v.unlimitedQuota,
    expiredTime: expiry.expiredTime,
    modelLimits: v.modelLimits,
    allowIps: v.allowIps,
    group: v.group,
    crossGroupRetry: v.crossGroupRetry,
  });
}

/**
 * The edit dialog: every field but the status (re-enabling is its own action, with its checks).
 * The key row is locked for the edit; a budget given is set through lib/quota in the same
 * transaction, one left out stays as requests have left it.
 */
export async function updateKey(userId: number, form: TUpdateKeyForm): Promise<KeyDTO> {
  const parsed = ZUpdateKeyForm.safeParse(form);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const o = await getOptions();
  const user = await db.user.findUnique({ where: { id: userId }, select: { group: true } });
  if (!user) throw new AppError("user_not_found", "User not found", 404);
  const remain = remainFromForm(v.remainAmount, displayOf(o), { creating: false, unlimited: v.unlimitedQuota });
  if (!remain.ok) throw refused(remain.refusal);
  const row = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ expired_time: bigint; group: string }[]>`
      SELECT expired_time, "group" FROM tokens WHERE id = ${v.id} AND user_id = ${userId} FOR UPDATE`;
    if (!locked.length) throw notFound();
    const expiry = expiryFromForm(v.expiry, nowSec(), v.expiresAt, Number(locked[0].expired_time));
    if (!expiry.ok) throw refused(expiry.refusal);
    assertGroupUsable(o, user.group, v.group);
    if (remain.quota !== undefined) {
      assertRemainBounded(o, v.unlimitedQuota, remain.quota);
      await setKeyRemainQuota(v.id, remain.quota, tx);
    }
    return tx.token.update({
      where: { id: v.id },
      data: {
        name: v.name,
        unlimitedQuota: v.unlimitedQuota,
        expiredTime: BigInt(expiry.expiredTime),
        modelLimitsEnabled: v.modelLimits.length > 0,
        modelLimits: v.modelLimits.join(","),
        allowIps: v.allowIps,
        group: v.group,
        crossGroupRetry: v.crossGroupRetry,
      },
      select: KEY_SELECT,
    });
  });
  invalidate("key", v.id);
  return toKeyDTO(row);
}

/**
 * Enable (1) or disable (2). Enabling is one conditional UPDATE that also requires the key to be
 * unexpired and to have budget left (or be unlimited): an expired or exhausted key is refused
 * with the reason, whatever status it is stored with.
 */
export async function setKeyStatus(userId: number, input: unknown): Promise<KeyDTO> {
  const parsed = ZKeyStatusInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { id, status } = parsed.data;
  const now = nowSec();
  const n =
    status === TOKEN_STATUS.disabled
      ? await db.$executeRaw`UPDATE tokens SET status = ${TOKEN_STATUS.disabled} WHERE id = ${id} AND user_id = ${userId}`
      : await db.$executeRaw`UPDATE tokens SET status = ${TOKEN_STATUS.enabled}
          WHERE id = ${id} AND user_id = ${userId}
            AND (expired_time = -1 OR expired_time > ${now})
            AND (unlimited_quota OR remain_quota > 0)`;
  const row = await db.token.findFirst({ where: { id, userId }, select: KEY_SELECT });
  if (!row) throw notFound();
  if (n === 0) {
    if (isExpired(Number(row.expiredTime), now)) {
      throw translatedError("token_expired", "Token has expired and cannot be enabled", 400, {
        key: "keys.error.cannotEnableExpired",
        field: "status",
      });
    }
    throw translatedError("token_exhausted", "Token quota is exhausted and cannot be enabled", 400, {
      key: "keys.error.cannotEnableExhausted",
      field: "status",
    });
  }
  invalidate("key", id);
  return toKeyDTO(row);
}

/** Deletes keys of the user: all of them or, when one id is not the user's key, none. */
export async function deleteKeys(userId: number, input: unknown): Promise<{ deleted: number }> {
  const parsed = ZKeyIdsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const ids = [...new Set(parsed.data.ids)];
  const deleted = await db.$transaction(async (tx) => {
    const r = await tx.token.deleteMany({ where: { id: { in: ids }, userId } });
    if (r.count !== ids.length) throw notFound();
    return r.count;
  });
  for (const id of ids) invalidate("key", id);
  return { deleted };
}

/** A new secret for a key (same id, settings and budget); the old one stops working at once. */
export async function regenerateKey(userId: number, input: unknown): Promise<CreatedKey> {
  const parsed = ZKeyIdInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { id } = parsed.data;
  const key = generateApiKey();
  const { hash, prefix, last4 } = keyParts(key);
  const r = await db.token.updateManyAndReturn({
    where: { id, userId },
    data: { keyHash: hash, keyPrefix: prefix, keyLast4: last4 },
    select: { id: true, name: true },
  });
  if (r.length !== 1) throw notFound();
  invalidate("key", id);
  return { id, name: r[0].name, key, maskedKey: maskKey(prefix, last4) };
}
