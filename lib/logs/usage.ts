import "server-only";
import { pgPool } from "@/lib/db";
import { HOURLY_CHART_MAX_MS } from "./filters";
import { rollupSource, type ResolvedFilters } from "./search";

// The usage charts: quota and tokens per hour or day and model, from the hourly rollups that settle
// keeps (never from the logs). A bucket is counted whole when it starts inside the range.

/** models beyond this many (by quota in the range) are summed as one "other" series */
export const CHART_TOP_MODELS = 8;
/** the longest range a chart draws; a longer one is cut to its most recent part */
export const CHART_MAX_MS = 400 * 24 * 3_600_000;
/** a chart of a range without a start shows this much */
export const CHART_DEFAULT_MS = 90 * 24 * 3_600_000;

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
  const empty: UsageChartDTO = {
    granularity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone,
    models: [],
    points: [],
  };
  if (!source || from >= to) return empty;
  const w = source.where;
  w.add((p) => `bucket >= date_trunc('hour', ${p(new Date(from))}::timestamptz, 'UTC')`);
  w.add((p) => `bucket < ${p(new Date(to))}`);
  const tz = w.param(timeZone);
  const sql = `
    WITH b AS (
      SELECT date_trunc('${granularity}', bucket, ${tz}) AS t, model_name, sum(quota) AS quota,
             sum(prompt_tokens) AS pt, sum(completion_tokens) AS ct, sum(request_count) AS n
      FROM ${source.table} ${w} GROUP BY 1, 2),
    top AS (SELECT model_name, sum(quota) AS q, sum(pt + ct) AS tk FROM b GROUP BY 1
             ORDER BY 2 DESC, 3 DESC, 1 LIMIT ${CHART_TOP_MODELS})
    SELECT b.t, top.model_name AS model, sum(b.quota)::text AS quota, sum(b.pt)::text AS pt, sum(b.ct)::text AS ct,
           sum(b.n)::text AS n, (SELECT array_agg(model_name ORDER BY q DESC, tk DESC, model_name) FROM top) AS models
    FROM b LEFT JOIN top USING (model_name) GROUP BY 1, 2 ORDER BY 1, 2`;
  const { rows } = await pgPool().query<{
    t: Date;
    model: string | null;
    quota: string;
    pt: string;
    ct: string;
    n: string;
    models: string[] | null;
  }>(sql, w.params);
  if (!rows.length) return empty;
  return {
    ...empty,
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
