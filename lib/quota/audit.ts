import "server-only";
import { db } from "@/lib/db";
import { RESERVATION_STATUS } from "./schemas";

// The ledger invariant, recomputed from the logs and the open reservations:
//   users.quota        = Σ credits (topup, manage, system, refund logs) − Σ consume − open holds
//   users.used_quota   = Σ consume;  users.request_count = consume logs with tokens served
//   users.aff_quota    = Σ logs.aff_quota (invitation rewards − transfers)
//   tokens.used_quota  = Σ consume through the key
//   tokens.remain_quota = granted_quota − Σ consume through the key − its open holds
// where each Σ over the logs also counts the rows retention deleted: their sums are kept per user
// and key in log_checkpoints, written in the transaction that deleted them (lib/logs/retention.ts).

export type AuditDifference = {
  kind: "user" | "key";
  id: number;
  name: string;
  field: string;
  actual: string;
  expected: string;
};

export async function auditLedger(): Promise<{ users: number; keys: number; differences: AuditDifference[] }> {
  const users = await db.$queryRaw<
    {
      id: number;
      username: string;
      quota: bigint;
      exp_quota: bigint;
      used_quota: bigint;
      exp_used: bigint;
      request_count: bigint;
      exp_requests: bigint;
      aff_quota: bigint;
      exp_aff: bigint;
    }[]
  >`
    WITH l AS (
      SELECT user_id,
             COALESCE(SUM(quota) FILTER (WHERE type IN (1, 3, 4, 6)), 0)::bigint AS credits,
             COALESCE(SUM(quota) FILTER (WHERE type = 2), 0)::bigint AS consumed,
             COUNT(*) FILTER (WHERE type = 2 AND prompt_tokens + completion_tokens > 0)::bigint AS requests,
             COALESCE(SUM(aff_quota), 0)::bigint AS aff
      FROM logs GROUP BY user_id),
    c AS (
      SELECT user_id, SUM(credits)::bigint AS credits, SUM(consumed)::bigint AS consumed,
             SUM(requests)::bigint AS requests, SUM(aff_quota)::bigint AS aff
      FROM log_checkpoints GROUP BY user_id),
    h AS (SELECT user_id, SUM(held_quota)::bigint AS held FROM reservations WHERE status = ${RESERVATION_STATUS.open} GROUP BY user_id)
    SELECT u.id, u.username, u.quota,
           (COALESCE(l.credits, 0) + COALESCE(c.credits, 0) - COALESCE(l.consumed, 0) - COALESCE(c.consumed, 0)
             - COALESCE(h.held, 0))::bigint AS exp_quota,
           u.used_quota, (COALESCE(l.consumed, 0) + COALESCE(c.consumed, 0))::bigint AS exp_used,
           u.request_count, (COALESCE(l.requests, 0) + COALESCE(c.requests, 0))::bigint AS exp_requests,
           u.aff_quota, (COALESCE(l.aff, 0) + COALESCE(c.aff, 0))::bigint AS exp_aff
    FROM users u LEFT JOIN l ON l.user_id = u.id LEFT JOIN c ON c.user_id = u.id LEFT JOIN h ON h.user_id = u.id
    ORDER BY u.id`;
  const keys = await db.$queryRaw<
    { id: number; name: string; used_quota: bigint; exp_used: bigint; remain_quota: bigint; exp_remain: bigint }[]
  >`
    WITH l AS (SELECT token_id, SUM(quota)::bigint AS consumed FROM logs WHERE type = 2 AND token_id IS NOT NULL GROUP BY token_id),
    c AS (SELECT token_id, SUM(consumed)::bigint AS consumed FROM log_checkpoints WHERE token_id <> 0 GROUP BY token_id),
    h AS (SELECT token_id, SUM(held_quota)::bigint AS held FROM reservations WHERE status = ${RESERVATION_STATUS.open} GROUP BY token_id)
    SELECT t.id, t.name, t.used_quota, (COALESCE(l.consumed, 0) + COALESCE(c.consumed, 0))::bigint AS exp_used,
           t.remain_quota,
           (t.granted_quota - COALESCE(l.consumed, 0) - COALESCE(c.consumed, 0) - COALESCE(h.held, 0))::bigint AS exp_remain
    FROM tokens t LEFT JOIN l ON l.token_id = t.id LEFT JOIN c ON c.token_id = t.id LEFT JOIN h ON h.token_id = t.id
    ORDER BY t.id`;

  const differences: AuditDifference[] = [];
  const check = (kind: "user" | "key", id: number, name: string, field: string, actual: bigint, expected: bigint) => {
    if (actual !== expected)
      differences.push({ kind, id, name, field, actual: actual.toString(), expected: expected.toString() });
  };
  for (const u of users) {
    check("user", u.id, u.username, "quota", u.quota, u.exp_quota);
    check("user", u.id, u.username, "used_quota", u.used_quota, u.exp_used);
    check("user", u.id, u.username, "request_count", u.request_count, u.exp_requests);
    check("user", u.id, u.username, "aff_quota", u.aff_quota, u.exp_aff);
  }
  for (const k of keys) {
    check("key", k.id, k.name, "used_quota", k.used_quota, k.exp_used);
    check("key", k.id, k.name, "remain_quota", k.remain_quota, k.exp_remain);
  }
  return { users: users.length, keys: keys.length, differences };
}
