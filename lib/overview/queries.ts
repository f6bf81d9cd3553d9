import "server-only";
import { pgPool } from "@/lib/db";
import { getOptions } from "@/lib/options/service";
import { LOG_TYPE } from "@/lib/quota/row-types";

// The admin overview: how many users, what today and this month cost, who and what spent most in
// the last 7 days, which channels failed in the last hour. Every figure but the last comes from
// the rollups that settle keeps (usage_totals_daily across users, usage_rollups_daily per user),
// never from the logs; days are those of the StatsTimeZone option, as the rollups count them.

const OVERVIEW_TOP = 5;
const OVERVIEW_ERROR_CHANNELS = 10;

export type OverviewDTO = {
  timeZone: string;
  /** when the figures were read, ISO */
  at: string;
  users: { total: number; newToday: number };
  today: { requests: string; quota: string };
  month: { requests: string; quota: string };
  topModels: { model: string; quota: string; requests: string; tokens: string }[];
  topUsers: { userId: number; username: string; quota: string; requests: string }[];
  channelErrors: {
    channelId: number | null;
    name: string | null;
    errors: number;
    lastAt: string;
    lastMessage: string;
  }[];
};

export async function getOverview(): Promise<OverviewDTO> {
  const tz = (await getOptions()).StatsTimeZone;
  const pool = pgPool();
  const bounds = await pool.query<{ now: Date; day: Date; month: Date; week: Date }>(
    `SELECT now() AS now, date_trunc('day', now(), $1) AS day, date_trunc('month', now(), $1) AS month,
            (date_trunc('day', now(), $1) AT TIME ZONE $1 - interval '6 days') AT TIME ZONE $1 AS week`,
    [tz],
  );
  const { now, day, month, week } = bounds.rows[0];
  const [users, spend, models, topUsers, errors] = await Promise.all([
    pool.query<{ total: number; new_today: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE created_at >= $1)::int AS new_today FROM users`,
      [day],
    ),
    pool.query<{ day_n: string; day_q: string; month_n: string; month_q: string }>(
      `SELECT COALESCE(sum(request_count) FILTER (WHERE bucket >= $2), 0)::text AS day_n,
              COALESCE(sum(quota) FILTER (WHERE bucket >= $2), 0)::text AS day_q,
              COALESCE(sum(request_count), 0)::text AS month_n, COALESCE(sum(quota), 0)::text AS month_q
       FROM usage_totals_daily WHERE bucket >= $1`,
      [month, day],
    ),
    pool.query<{ model: string; q: string; n: string; t: string }>(
      `SELECT model_name AS model, sum(quota)::text AS q, sum(request_count)::text AS n,
              sum(prompt_tokens + completion_tokens)::text AS t
       FROM usage_totals_daily WHERE bucket >= $1
       GROUP BY model_name ORDER BY sum(quota) DESC, model_name LIMIT $2`,
      [week, OVERVIEW_TOP],
    ),
    pool.query<{ user_id: number; username: string; q: string; n: string }>(
      `SELECT r.user_id, u.username, r.q::text AS q, r.n::text AS n
       FROM (SELECT user_id, sum(quota) AS q, sum(request_count) AS n FROM usage_rollups_daily
             WHERE bucket >= $1 GROUP BY user_id ORDER BY sum(quota) DESC, user_id LIMIT $2) r
       JOIN users u ON u.id = r.user_id ORDER BY r.q DESC, r.user_id`,
      [week, OVERVIEW_TOP],
    ),
    // the one read of the logs: error rows of the last hour, a bounded range of the
    // (type, created_at, id) index (error logs are few, and only an hour of them is read)
    pool.query<{ channel_id: number | null; name: string | null; n: number; last_at: Date; last: string }>(
      `SELECT e.channel_id, c.name, e.n, e.last_at, e.last
       FROM (SELECT channel_id, count(*)::int AS n, max(created_at) AS last_at,
                    (array_agg(content ORDER BY created_at DESC, id DESC))[1] AS last
             FROM logs WHERE type = $1 AND created_at >= $2::timestamptz - interval '1 hour'
             GROUP BY channel_id) e
       LEFT JOIN channels c ON c.id = e.channel_id
       ORDER BY e.n DESC, e.last_at DESC LIMIT $3`,
      [LOG_TYPE.error, now, OVERVIEW_ERROR_CHANNELS],
    ),
  ]);
  const s = spend.rows[0];
  return {
    timeZone: tz,
    at: now.toISOString(),
    users: { total: users.rows[0].total, newToday: users.rows[0].new_today },
    today: { requests: s.day_n, quota: s.day_q },
    month: { requests: s.month_n, quota: s.month_q },
    topModels: models.rows.map((r) => ({ model: r.model, quota: r.q, requests: r.n, tokens: r.t })),
    topUsers: topUsers.rows.map((r) => ({ userId: r.user_id, username: r.username, quota: r.q, requests: r.n })),
    channelErrors: errors.rows.map((r) => ({
      channelId: r.channel_id,
      name: r.name,
      errors: r.n,
      lastAt: r.last_at.toISOString(),
      lastMessage: (r.last ?? "").slice(0, 300),
    })),
  };
}
