import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createUser } from "@/lib/users/service";
import { auditQuotaChange } from "@/lib/audit/service";
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
    const operator = { id: null, username: "test" };
    await adjustUserQuota(
      operator,
      { userId: user.id, mode: "add", amount: opts.quota, reason: "test balance" },
      { inTransaction: auditQuotaChange(operator) },
    );
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
 * Rows where the rollups differ from the consume logs they summarise — per user (hour and day; model,
 * key, group) and across users (hour and day; model, channel, group): [] when settle kept them exact.
 * Days are those of the StatsTimeZone option.
 */
export async function rollupDrift(): Promise<unknown[]> {
  const zone = `COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC')`;
  const drift = async (name: string, table: string, bucket: string, dims: string) => {
    const cols = `bucket, ${dims}, n, quota, pt, ct`;
    return db.$queryRawUnsafe<unknown[]>(`
      WITH l AS (
        SELECT ${bucket} AS bucket, ${dims.replace("token_id", "COALESCE(token_id, 0) AS token_id").replace("channel_id", "COALESCE(channel_id, 0) AS channel_id")},
               count(*)::bigint AS n, sum(quota)::bigint AS quota, sum(prompt_tokens)::bigint AS pt,
               sum(completion_tokens)::bigint AS ct
        FROM logs WHERE type = 2 GROUP BY ${bucket}, ${dims}),
      r AS (SELECT bucket, ${dims}, request_count AS n, quota, prompt_tokens AS pt, completion_tokens AS ct FROM ${table})
      (SELECT '${name}: missing' AS drift, * FROM (SELECT ${cols} FROM l EXCEPT SELECT ${cols} FROM r) a)
      UNION ALL (SELECT '${name}: not in logs', * FROM (SELECT ${cols} FROM r EXCEPT SELECT ${cols} FROM l) b)`);
  };
  const hour = "date_trunc('hour', created_at, 'UTC')";
  const day = `date_trunc('day', created_at, ${zone})`;
  const perUser = `user_id, model_name, token_id, "group"`;
  const total = `model_name, channel_id, "group"`;
  return (
    await Promise.all([
      drift("usage_rollups", "usage_rollups", hour, perUser),
      drift("usage_rollups_daily", "usage_rollups_daily", day, perUser),
      drift("usage_totals", "usage_totals", hour, total),
      drift("usage_totals_daily", "usage_totals_daily", day, total),
    ])
  ).flat();
}
