import "server-only";
import { db } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { usableGroups } from "@/lib/users/groups";
import { randomAlphanumeric } from "@/lib/random";
import { generateApiKey, keyParts, maskKey } from "./crypto";
import { ZCreateKeyInput, type TCreateKeyInput } from "./schemas";

export type CreatedKey = { id: number; name: string; key: string; maskedKey: string };

/**
 * Creates one or more keys for a user; the full keys are returned this once and never again.
 * Names after the first get a random suffix (as new-api's UI does).
 */
export async function createKeys(userId: number, input: TCreateKeyInput): Promise<CreatedKey[]> {
  const parsed = ZCreateKeyInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const o = await getOptions();
  const user = await db.user.findUnique({ where: { id: userId }, select: { group: true } });
  if (!user) throw new AppError("user_not_found", "User not found", 404);
  if (!v.unlimitedQuota && v.remainQuota > BigInt(o.QuotaPerUnit) * 1_000_000_000n) {
    throw new AppError("validation", "Quota value exceeds valid range", 400, { remainQuota: ["Quota value exceeds valid range"] });
  }
  if (v.expiredTime !== -1 && v.expiredTime <= Math.floor(Date.now() / 1000)) {
    throw new AppError("validation", "Expiry must be in the future", 400, { expiredTime: ["Expiry must be in the future"] });
  }
  if (v.group && !(v.group in usableGroups(o, user.group))) {
    throw new AppError("group_not_usable", `Group ${v.group} is not available to this user`, 403, { group: ["This group is not available to you"] });
  }
  const existing = await db.token.count({ where: { userId } });
  if (existing + v.count > o.MaxUserTokens) {
    throw new AppError("max_tokens_reached", `You can have at most ${o.MaxUserTokens} keys`, 400);
  }
  const created = Array.from({ length: v.count }, (_, i) => {
    const key = generateApiKey();
    return { key, name: i === 0 ? v.name : `${v.name}-${randomAlphanumeric(6)}`, ...keyParts(key) };
  });
  const rows = await db.token.createManyAndReturn({
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
  const idByHash = new Map(rows.map((r) => [r.keyHash, r.id]));
  return created.map((c) => ({ id: idByHash.get(c.hash)!, name: c.name, key: c.key, maskedKey: maskKey(c.prefix, c.last4) }));
}
