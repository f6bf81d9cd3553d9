import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createUser } from "@/lib/users/service";
import { auditQuotaChange } from "@/lib/audit/service";
import { adjustUserQuota } from "@/lib/quota/credits";
import { createKeys } from "@/lib/keys/service";
import type { TCreateKeyInput } from "@/lib/keys/schemas";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { resolvePricing } from "@/lib/quota/pricing";
import { RELAY_OWNER, reserve } from "@/lib/quota/reserve";
import { settle } from "@/lib/quota/settle";

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

/**
 * One relay request reserved and settled through the billing module, as the relay does: the
 * consume log, the balances and every rollup are written by tollgate_settle, now.
 */
export async function settleRequest(
  userId: number,
  tokenId: number,
  o: {
    quota: bigint;
    model?: string;
    group?: string;
    channelId?: number;
    promptTokens?: number;
    completionTokens?: number;
  },
) {
  const model = o.model ?? "gpt-4o";
  const group = o.group ?? "default";
  const pricing = resolvePricing(OPTION_DEFAULTS, { model, userGroup: group, usingGroup: group, acceptUnpriced: true });
  const r = await reserve({
    owner: RELAY_OWNER,
    requestId: requestId(),
    userId,
    tokenId,
    channelId: o.channelId,
    model,
    group,
    estimate: o.quota,
    pricing,
  });
  return settle(RELAY_OWNER, {
    reservationId: r.reservationId,
    quota: o.quota,
    promptTokens: o.promptTokens ?? 10,
    completionTokens: o.completionTokens ?? 5,
    channelId: o.channelId,
  });
}

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
 * key, group) and across users (hour and day; model, channel, group; model alone): [] when settle
 * kept them exact.
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
      drift("usage_model_totals", "usage_model_totals", hour, "model_name"),
      drift("usage_model_totals_daily", "usage_model_totals_daily", day, "model_name"),
    ])
  ).flat();
}

/** every rollup rebuilt from the consume logs, as the migrations built them (days of StatsTimeZone) */
export async function rebuildRollups(): Promise<void> {
  const zone = `COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC')`;
  const sums = "count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)";
  const cols = "request_count, quota, prompt_tokens, completion_tokens";
  const perUser = (table: string, bucket: string) => `
    INSERT INTO ${table} (user_id, bucket, model_name, token_id, "group", ${cols})
      SELECT user_id, ${bucket}, model_name, COALESCE(token_id, 0), "group", ${sums}
      FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4, 5;`;
  const totals = (table: string, bucket: string) => `
    INSERT INTO ${table} (bucket, model_name, channel_id, "group", ${cols})
      SELECT ${bucket}, model_name, COALESCE(channel_id, 0), "group", ${sums} FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4;`;
  const perModel = (table: string, bucket: string) => `
    INSERT INTO ${table} (bucket, model_name, ${cols})
      SELECT ${bucket}, model_name, ${sums} FROM logs WHERE type = 2 GROUP BY 1, 2;`;
  const hour = "date_trunc('hour', created_at, 'UTC')";
  const day = `date_trunc('day', created_at, ${zone})`;
  await db.$executeRawUnsafe(`DELETE FROM usage_rollups; DELETE FROM usage_rollups_daily; DELETE FROM usage_totals;
    DELETE FROM usage_totals_daily; DELETE FROM usage_model_totals; DELETE FROM usage_model_totals_daily;`);
  for (const sql of [
    perUser("usage_rollups", hour),
    perUser("usage_rollups_daily", day),
    totals("usage_totals", hour),
    totals("usage_totals_daily", day),
    perModel("usage_model_totals", hour),
    perModel("usage_model_totals_daily", day),
  ])
    await db.$executeRawUnsafe(sql);
}
