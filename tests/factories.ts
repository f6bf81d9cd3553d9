import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createUser } from "@/lib/users/service";
import { adjustUserQuota } from "@/lib/quota/credits";
import { createKeys } from "@/lib/keys/service";
import type { TCreateKeyInput } from "@/lib/keys/schemas";

// Seeds for integration tests. Balances are created through the billing module (a manage log),
// so the ledger audit holds from the first row.

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${(seq++).toString(36)}`;

export async function makeUser(
  opts: { quota?: bigint; group?: string; role?: "user" | "admin" | "root"; username?: string } = {},
) {
  const user = await createUser({
    username: opts.username ?? uniqueName("u"),
    password: "password123",
    role: opts.role ?? "user",
    group: opts.group ?? "default",
  });
  if (opts.quota && opts.quota > 0n) {
    await adjustUserQuota({ id: null, username: "test" }, { userId: user.id, mode: "add", amount: opts.quota });
  }
  return user;
}

export async function makeKey(userId: number, input: Partial<TCreateKeyInput> = {}) {
  const [key] = await createKeys(userId, { name: "test key", unlimitedQuota: true, ...input });
  return key;
}

export const requestId = () => randomUUID().replace(/-/g, "");

export async function balances(userId: number, tokenId: number) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const token = await db.token.findUniqueOrThrow({ where: { id: tokenId } });
  return {
    quota: user.quota,
    usedQuota: user.usedQuota,
    requestCount: user.requestCount,
    remain: token.remainQuota,
    keyUsed: token.usedQuota,
  };
}

/**
 * Rows where the hourly rollups differ from the consume logs they summarise (per user, hour, model,
 * key, group, channel; and across users): [] when settle kept them exact.
 */
export async function rollupDrift(): Promise<unknown[]> {
  const perUser = await db.$queryRawUnsafe<unknown[]>(`
    WITH l AS (
      SELECT user_id, date_trunc('hour', created_at, 'UTC') AS bucket, model_name, COALESCE(token_id, 0) AS token_id,
             "group", COALESCE(channel_id, 0) AS channel_id, count(*)::bigint AS n, sum(quota)::bigint AS quota,
             sum(prompt_tokens)::bigint AS pt, sum(completion_tokens)::bigint AS ct
      FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4, 5, 6),
    r AS (SELECT user_id, bucket, model_name, token_id, "group", channel_id, request_count AS n, quota,
                 prompt_tokens AS pt, completion_tokens AS ct FROM usage_rollups)
    (SELECT 'missing from rollups' AS drift, * FROM (SELECT * FROM l EXCEPT SELECT * FROM r) a)
    UNION ALL (SELECT 'not in logs', * FROM (SELECT * FROM r EXCEPT SELECT * FROM l) b)`);
  const totals = await db.$queryRawUnsafe<unknown[]>(`
    WITH l AS (
      SELECT date_trunc('hour', created_at, 'UTC') AS bucket, model_name, COALESCE(channel_id, 0) AS channel_id, "group",
             count(*)::bigint AS n, sum(quota)::bigint AS quota, sum(prompt_tokens)::bigint AS pt,
             sum(completion_tokens)::bigint AS ct
      FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4),
    r AS (SELECT bucket, model_name, channel_id, "group", request_count AS n, quota, prompt_tokens AS pt,
                 completion_tokens AS ct FROM usage_totals)
    (SELECT 'totals missing' AS drift, * FROM (SELECT * FROM l EXCEPT SELECT * FROM r) a)
    UNION ALL (SELECT 'totals not in logs', * FROM (SELECT * FROM r EXCEPT SELECT * FROM l) b)`);
  return [...perUser, ...totals];
}
