import "server-only";
import { pgPool } from "@/lib/db";
import { LOG_TOTAL_CAP, formatCursor, parseCursor, type LogFilters } from "./filters";
import { LOG_TYPE } from "@/lib/quota/row-types";

// The queries of the log pages (docs/logs.md): one WHERE for every reader — the page, its capped
// total, the stats, the chart and the CSV — so what a user exports is exactly what they filtered.
// Every page reads in (created_at, id) order, newest first, by keyset: a deep page costs what the
// first one does. Each filter is served by an index that starts with it (prisma/schema.prisma).

/** whose logs: a user's own, or everyone's (the admin pages) */
export type LogScope = { userId: number } | { admin: true };

const isAdmin = (s: LogScope): s is { admin: true } => "admin" in s;

/**
 * The filters turned into what the tables hold: user and key ids; null when nothing can match.
 * `keysByName`: more keys have the name than are worth listing, so the queries find them by name.
 */
export type ResolvedFilters = LogFilters & {
  userId?: number;
  tokenIds?: number[];
  tokenUserIds?: number[];
  keysByName?: boolean;
};

/** up to this many keys of one name are passed as a list of ids; more are found by a subquery */
const MAX_KEYS_PER_NAME = 1000;

export async function resolveFilters(scope: LogScope, f: LogFilters): Promise<ResolvedFilters | null> {
  const r: ResolvedFilters = { ...f };
  if (!isAdmin(scope)) {
    // a user's filters never name another user or a channel, whatever was sent
    r.userId = scope.userId;
    delete r.username;
    delete r.channel;
  } else if (f.username) {
    const { rows } = await pgPool().query<{ id: number }>("SELECT id FROM users WHERE lower(username) = lower($1)", [
      f.username,
    ]);
    if (!rows.length) return null;
    r.userId = rows[0].id;
  }
  if (f.key) {
    const { rows } = await pgPool().query<{ id: number; user_id: number }>(
      r.userId === undefined
        ? "SELECT id, user_id FROM tokens WHERE name = $1 ORDER BY id LIMIT $2"
        : "SELECT id, user_id FROM tokens WHERE name = $1 AND user_id = $3 ORDER BY id LIMIT $2",
      r.userId === undefined ? [f.key, MAX_KEYS_PER_NAME + 1] : [f.key, MAX_KEYS_PER_NAME + 1, r.userId],
    );
    if (!rows.length) return null;
    if (rows.length > MAX_KEYS_PER_NAME) r.keysByName = true;
    else {
      r.tokenIds = rows.map((t) => t.id);
      r.tokenUserIds = [...new Set(rows.map((t) => t.user_id))];
    }
  }
  return r;
}

/** builds a WHERE from parts; each value becomes a $n parameter */
export class Where {
  readonly parts: string[] = [];
  constructor(readonly params: unknown[] = []) {}
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  add(sql: (p: (v: unknown) => string) => string): this {
    this.parts.push(sql((v) => this.param(v)));
    return this;
  }
  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(" AND ")}` : "";
  }
}

/** the filters as conditions on the logs table (time as given; `time: false` leaves the range out) */
export function logConditions(f: ResolvedFilters, w = new Where(), opts: { time?: boolean; type?: boolean } = {}) {
  // keys were resolved within the user's own (resolveFilters): the key's index alone answers
  if (f.userId !== undefined && !f.tokenIds) w.add((p) => `user_id = ${p(f.userId)}`);
  if (opts.type !== false && f.type) w.add((p) => `type = ${p(f.type)}`);
  if (opts.time !== false && f.from !== undefined) w.add((p) => `created_at >= ${p(new Date(f.from!))}`);
  if (opts.time !== false && f.to !== undefined) w.add((p) => `created_at < ${p(new Date(f.to!))}`);
  if (f.tokenIds) w.add((p) => `token_id = ANY(${p(f.tokenIds)}::int[])`);
  if (f.keysByName) w.add((p) => `token_id IN (SELECT t.id FROM tokens t WHERE t.name = ${p(f.key)})`);
  if (f.model) w.add((p) => `model_name = ${p(f.model)}`);
  if (f.group) w.add((p) => `"group" = ${p(f.group)}`);
  if (f.requestId) w.add((p) => `request_id = ${p(f.requestId)}`);
  if (f.channel !== undefined) w.add((p) => `channel_id = ${p(f.channel)}`);
  return w;
}

export type LogRow = {
  id: bigint;
  created_at: Date;
  type: number;
  content: string;
  user_id: number;
  username: string;
  token_name: string;
  model_name: string;
  quota: bigint;
  prompt_tokens: number;
  completion_tokens: number;
  use_time: number;
  is_stream: boolean;
  channel_id: number | null;
  channel_name: string | null;
  group: string;
  ip: string;
  request_id: string | null;
  upstream_request_id: string;
  other: Record<string, unknown> | null;
  /** "YYYY-MM-DD HH:MM:SS" in the time zone asked for (CSV), else absent */
  local_time?: string;
};

const ROW_COLUMNS = `l.id, l.created_at, l.type, l.content, l.user_id, l.username, l.token_name, l.model_name, l.quota,
  l.prompt_tokens, l.completion_tokens, l.use_time, l.is_stream, l.channel_id, l.group, l.ip, l.request_id,
  l.upstream_request_id`;
/** the fields of `other` the CSV writes: parsing the whole JSON of every row would be most of its cost */
const CSV_OTHER = `jsonb_build_object('cache_tokens', l.other->'cache_tokens', 'usage_source', l.other->'usage_source')`;

/** pg returns bigint as text: the ids and amounts, as bigint */
function toRow(r: Record<string, unknown>): LogRow {
  return { ...(r as LogRow), id: BigInt(r.id as string), quota: BigInt(r.quota as string) };
}

/**
 * Up to `limit` rows in (created_at, id) order from a cursor: `older` pages go back in time (newest
 * first), `newer` ones forward (returned newest first as well).
 */
export async function readLogRows(
  f: ResolvedFilters,
  opts: {
    limit: number;
    after?: string;
    before?: string;
    withChannelName?: boolean;
    timeZone?: string;
    /** `other` holds only what the CSV writes */
    csv?: boolean;
  },
): Promise<LogRow[]> {
  const w = logConditions(f);
  const newer = opts.before !== undefined;
  const cursor = opts.before ?? opts.after;
  if (cursor !== undefined) {
    const c = parseCursor(cursor);
    w.add((p) => `(l.created_at, l.id) ${newer ? ">" : "<"} (${p(new Date(c.at))}::timestamptz, ${p(c.id)}::bigint)`);
  }
  const order = newer ? "ASC" : "DESC";
  const channelName = opts.withChannelName
    ? ", (SELECT c.name FROM channels c WHERE c.id = l.channel_id) AS channel_name"
    : ", NULL AS channel_name";
  const localTime = opts.timeZone
    ? `, to_char(l.created_at AT TIME ZONE ${w.param(opts.timeZone)}, 'YYYY-MM-DD HH24:MI:SS') AS local_time`
    : "";
  const other = opts.csv ? `, ${CSV_OTHER} AS other` : ", l.other";
  const sql = `SELECT ${ROW_COLUMNS}${other}${channelName}${localTime} FROM logs l ${w}
    ORDER BY l.created_at ${order}, l.id ${order} LIMIT ${w.param(opts.limit)}`;
  const { rows } = await pgPool().query(sql, w.params);
  const out = rows.map(toRow);
  return newer ? out.reverse() : out;
}

export type LogPage = { rows: LogRow[]; next: string | null; prev: string | null };

/** one page and the cursors of its neighbours (null: nothing there) */
export async function readLogPage(
  f: ResolvedFilters,
  opts: { pageSize: number; after?: string; before?: string; withChannelName?: boolean },
): Promise<LogPage> {
  const rows = await readLogRows(f, { ...opts, limit: opts.pageSize + 1 });
  const more = rows.length > opts.pageSize;
  if (opts.before !== undefined) {
    // going back towards the newest: the extra row is the newest one
    const page = more ? rows.slice(1) : rows;
    return {
      rows: page,
      prev: more && page.length ? formatCursor({ createdAt: page[0].created_at, id: page[0].id }) : null,
      next: page.length ? formatCursor({ createdAt: page.at(-1)!.created_at, id: page.at(-1)!.id }) : null,
    };
  }
  const page = rows.slice(0, opts.pageSize);
  return {
    rows: page,
    prev:
      opts.after !== undefined && page.length ? formatCursor({ createdAt: page[0].created_at, id: page[0].id }) : null,
    next: more ? formatCursor({ createdAt: page.at(-1)!.created_at, id: page.at(-1)!.id }) : null,
  };
}

/** rows matching the filters, counted up to LOG_TOTAL_CAP (a larger count reads "10000+") */
export async function countLogs(f: ResolvedFilters): Promise<{ total: number; capped: boolean }> {
  const w = logConditions(f);
  const sql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM logs l ${w} LIMIT ${w.param(LOG_TOTAL_CAP + 1)}) s`;
  const { rows } = await pgPool().query<{ n: number }>(sql, w.params);
  const n = rows[0].n;
  return { total: Math.min(n, LOG_TOTAL_CAP), capped: n > LOG_TOTAL_CAP };
}

const HOUR = 3_600_000;
const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR) * HOUR;

/** the rollup tables of one scope: per user, or across users; the same columns in both sizes */
export type RollupSource = { hourly: string; daily: string; where: () => Where };

/**
 * Where the totals of these filters are kept: a user's rollups when the filters name a user or a
 * key, else the totals across users (per model alone when no channel or group is asked for: a few
 * rows per bucket); null when only the logs can answer (a request id, or a channel within one
 * user's logs: the per-user rollups do not split by channel).
 */
export function rollupSource(f: ResolvedFilters): RollupSource | null {
  if (f.requestId) return null;
  const perUser = f.userId !== undefined || f.tokenIds !== undefined || f.keysByName === true;
  if (perUser && f.channel !== undefined) return null;
  const where = () => {
    const w = new Where();
    if (perUser) {
      if (f.userId !== undefined) w.add((p) => `user_id = ${p(f.userId)}`);
      else if (f.tokenUserIds) w.add((p) => `user_id = ANY(${p(f.tokenUserIds)}::int[])`);
      if (f.tokenIds) w.add((p) => `token_id = ANY(${p(f.tokenIds)}::int[])`);
      // each key's user leads the rollup's primary key: one index range per key
      if (f.keysByName)
        w.add((p) => `(user_id, token_id) IN (SELECT t.user_id, t.id FROM tokens t WHERE t.name = ${p(f.key)})`);
    }
    if (f.model) w.add((p) => `model_name = ${p(f.model)}`);
    if (f.group) w.add((p) => `"group" = ${p(f.group)}`);
    if (f.channel !== undefined) w.add((p) => `channel_id = ${p(f.channel)}`);
    return w;
  };
  if (perUser) return { hourly: "usage_rollups", daily: "usage_rollups_daily", where };
  if (f.channel === undefined && !f.group)
    return { hourly: "usage_model_totals", daily: "usage_model_totals_daily", where };
  return { hourly: "usage_totals", daily: "usage_totals_daily", where };
}

/**
 * The zone the daily rollups count days in, as SQL: the StatsTimeZone row itself, as settle reads
 * it, not the cached options. Saving another zone rebuilds the daily rollups in its transaction, so
 * a statement that reads this and the rollups sees one zone's days whatever other nodes cached.
 */
export const STATS_ZONE_SQL = `COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC')`;

/** the zone the daily rollups count days in (the StatsTimeZone row, as settle reads it) */
export async function statsTimeZone(): Promise<string> {
  const { rows } = await pgPool().query<{ tz: string }>(`SELECT ${STATS_ZONE_SQL} AS tz`);
  return rows[0].tz;
}

async function sumConsumed(f: ResolvedFilters, from: number | undefined, to: number): Promise<bigint> {
  if (from !== undefined && from >= to) return 0n;
  const w = logConditions({ ...f, type: LOG_TYPE.consume, from, to });
  const { rows } = await pgPool().query<{ q: string }>(
    `SELECT COALESCE(sum(quota), 0)::text AS q FROM logs l ${w}`,
    w.params,
  );
  return BigInt(rows[0].q);
}

async function sumRollup(table: string, w: Where, from: number | undefined, to: number): Promise<bigint> {
  if (from !== undefined && from >= to) return 0n;
  if (from !== undefined) w.add((p) => `bucket >= ${p(new Date(from))}`);
  w.add((p) => `bucket < ${p(new Date(to))}`);
  const { rows } = await pgPool().query<{ q: string }>(
    `SELECT COALESCE(sum(quota), 0)::text AS q FROM ${table} ${w}`,
    w.params,
  );
  return BigInt(rows[0].q);
}

/** the first day start at or after `a` and the last at or before `b` (ms), in the days of the daily rollups */
async function dayBounds(a: number | undefined, b: number): Promise<[number | undefined, number]> {
  const { rows } = await pgPool().query<{ first: Date | null; last: Date }>(
    `SELECT CASE WHEN $1::timestamptz IS NULL THEN NULL
                 WHEN date_trunc('day', $1::timestamptz, z.tz) = $1::timestamptz THEN $1::timestamptz
                 ELSE (date_trunc('day', $1::timestamptz, z.tz) AT TIME ZONE z.tz + interval '1 day') AT TIME ZONE z.tz
            END AS first,
            date_trunc('day', $2::timestamptz, z.tz) AS last
     FROM (SELECT ${STATS_ZONE_SQL} AS tz) z`,
    [a === undefined ? null : new Date(a), new Date(b)],
  );
  return [rows[0].first?.getTime(), rows[0].last.getTime()];
}

export type LogStats = { quota: bigint; rpm: number; tpm: number };

/**
 * new-api's log stats for the filters: `quota` = Σ consume quota in the range (the
 * type filter does not apply); `rpm`, `tpm` = consume rows and their tokens in the last 60 seconds
 * (the range does not apply). The range is cut into whole days (daily rollups), whole hours (hourly
 * rollups) at both sides of them, and the partial hours at its ends (the logs), so a year costs
 * about what a day does.
 */
export async function logStats(f: ResolvedFilters, now = Date.now()): Promise<LogStats> {
  const to = Math.min(f.to ?? now, now);
  const recent = logConditions({ ...f, type: LOG_TYPE.consume, from: now - 60_000, to: undefined });
  const lastMinute = pgPool().query<{ n: number; t: string }>(
    `SELECT count(*)::int AS n, COALESCE(sum(prompt_tokens + completion_tokens), 0)::text AS t FROM logs l ${recent}`,
    recent.params,
  );
  const [quota, m] = await Promise.all([consumedIn(f, f.from, to), lastMinute]);
  return { quota, rpm: m.rows[0].n, tpm: Number(m.rows[0].t) };
}

async function consumedIn(f: ResolvedFilters, from: number | undefined, to: number): Promise<bigint> {
  const source = rollupSource(f);
  if (!source) return sumConsumed(f, from, to);
  const h1 = from === undefined ? undefined : ceilHour(from);
  const h2 = floorHour(to);
  if (h1 !== undefined && h1 >= h2) return sumConsumed(f, from, to);
  const [d1, d2] = await dayBounds(h1, h2);
  const { hourly, daily, where } = source;
  // [h1, h2) in whole hours: whole days in the middle when there are any (no start: all days before d2)
  const parts =
    h1 === undefined
      ? [sumRollup(daily, where(), undefined, d2), sumRollup(hourly, where(), d2, h2)]
      : d1 !== undefined && d1 < d2
        ? [sumRollup(hourly, where(), h1, d1), sumRollup(daily, where(), d1, d2), sumRollup(hourly, where(), d2, h2)]
        : [sumRollup(hourly, where(), h1, h2)];
  const sums = await Promise.all([h1 === undefined ? 0n : sumConsumed(f, from, h1), ...parts, sumConsumed(f, h2, to)]);
  return sums.reduce((a, b) => a + b, 0n);
}
