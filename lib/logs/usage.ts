import "server-only";
import { pgPool } from "@/lib/db";
import { HOURLY_CHART_MAX_MS } from "./filters";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { STATS_ZONE_SQL, logConditions, rollupSource, statsTimeZone, type ResolvedFilters, type Where } from "./search";

// The usage charts: quota and tokens per hour or day and model, from the hourly and daily rollups
// that settle keeps (never from the logs, but for a channel within one user's logs, which no rollup
// splits by). A bucket is counted whole when the range starts inside it.

/** models beyond this many (by quota in the range) are summed as one "other" series */
const CHART_TOP_MODELS = 8;
/** the longest range a chart draws; a longer one is cut to its most recent part */
const CHART_MAX_MS = 400 * 24 * 3_600_000;
/** a chart of a range without a start shows this much */
const CHART_DEFAULT_MS = 90 * 24 * 3_600_000;

export type ChartPointDTO = {
  /** start of the bucket, ISO */
  t: string;
  /** null: the models after the top ones */
  model: string | null;
  quota: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
};

export type UsageChartDTO = {
  granularity: "hour" | "day";
  from: string;
  to: string;
  timeZone: string;
  /** the top models, most quota first */
  models: string[];
  points: ChartPointDTO[];
};

/** `range` is the filters' [from, to); `f` null: nothing can match (an empty chart of that range) */
export async function usageChart(
  f: ResolvedFilters | null,
  range: { from?: number; to?: number },
  timeZone: string,
  now = Date.now(),
): Promise<UsageChartDTO> {
  const to = Math.min(range.to ?? now, now);
  const from = Math.max(range.from ?? to - CHART_DEFAULT_MS, to - CHART_MAX_MS);
  const granularity = to - from <= HOURLY_CHART_MAX_MS ? "hour" : "day";
  const source = f && rollupSource({ ...f, requestId: undefined });
  const empty = async (): Promise<UsageChartDTO> => ({
    granularity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone: granularity === "day" ? await statsTimeZone() : timeZone,
    models: [],
    points: [],
  });
  if (!f || from >= to) return empty();
  // src: one row per bucket and model (and more keys); top: the models with most quota; the
  // result sums src per bucket, the models after the top ones together (model null)
  // days are those the daily rollups count (the StatsTimeZone row, read in the statement that reads
  // them); hours are the viewer's
  let w: Where;
  let src: string;
  let zone: string;
  if (source) {
    w = source.where();
    zone = granularity === "day" ? `(${STATS_ZONE_SQL})` : w.param(timeZone);
    const start = w.param(new Date(from));
    const startZone = granularity === "day" ? zone : "'UTC'";
    w.add(() => `bucket >= date_trunc('${granularity}', ${start}::timestamptz, ${startZone})`);
    w.add((p) => `bucket < ${p(new Date(to))}`);
    // the rollups' buckets are the hours, or the days of the stats zone, already
    src = `SELECT bucket AS t, model_name, quota, prompt_tokens AS pt, completion_tokens AS ct, request_count AS n
      FROM ${granularity === "day" ? source.daily : source.hourly} ${w}`;
  } else {
    // a channel within one user's logs: no rollup splits by it, the logs of the range answer
    w = logConditions({ ...f, type: LOG_TYPE.consume, from, to, requestId: undefined });
    zone = granularity === "day" ? `(${STATS_ZONE_SQL})` : w.param(timeZone);
    src = `SELECT date_trunc('${granularity}', created_at, ${zone}) AS t, model_name, quota,
      prompt_tokens AS pt, completion_tokens AS ct, 1 AS n FROM logs l ${w}`;
  }
  const sql = `
    WITH src AS NOT MATERIALIZED (${src}),
    top AS (SELECT model_name, sum(quota) AS q, sum(pt + ct) AS tk FROM src GROUP BY 1
            ORDER BY 2 DESC, 3 DESC, 1 LIMIT ${CHART_TOP_MODELS})
    SELECT s.t, top.model_name AS model, sum(s.quota)::text AS quota, sum(s.pt)::text AS pt, sum(s.ct)::text AS ct,
           sum(s.n)::text AS n, (SELECT array_agg(model_name ORDER BY q DESC, tk DESC, model_name) FROM top) AS models,
           ${zone}::text AS zone
    FROM src s LEFT JOIN top USING (model_name) GROUP BY 1, 2 ORDER BY 1, 2`;
  const { rows } = await pgPool().query<{
    t: Date;
    model: string | null;
    quota: string;
    pt: string;
    ct: string;
    n: string;
    models: string[] | null;
    zone: string;
  }>(sql, w.params);
  if (!rows.length) return empty();
  return {
    granularity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone: rows[0].zone,
    models: rows[0].models ?? [],
    points: rows.map((r) => ({
      t: r.t.toISOString(),
      model: r.model,
      quota: r.quota,
      promptTokens: Number(r.pt),
      completionTokens: Number(r.ct),
      requests: Number(r.n),
    })),
  };
}
