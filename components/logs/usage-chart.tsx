"use client";
import { BarChart3 } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useMoney } from "@/components/money/money-provider";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import type { UsageChartDTO } from "@/lib/logs/usage";
import { formatPlotted, quotaToAmount } from "@/lib/quota/money";

// Quota or tokens per hour or day, stacked by model (the top models, then "other"), from the
// rollups the server reads. Colours are mid-tones that read on white and on zinc-900; axes and
// grid take the text colour. A visually hidden table carries the same numbers for screen readers.

const COLORS = [
  "#6366f1", // indigo-500
  "#10b981", // emerald-500
  "#f59e0b", // amber-500
  "#f43f5e", // rose-500
  "#0ea5e9", // sky-500
  "#a855f7", // purple-500
  "#14b8a6", // teal-500
  "#f97316", // orange-500
];
const OTHER_COLOR = "#a1a1aa"; // zinc-400
const OTHER = "__other__";

export type ChartMetric = "quota" | "tokens";

function bucketLabel(iso: string, chart: UsageChartDTO, locale: string, long = false) {
  const opts: Intl.DateTimeFormatOptions =
    chart.granularity === "hour"
      ? { month: long ? "short" : undefined, day: long ? "numeric" : undefined, hour: "2-digit", minute: "2-digit" }
      : { month: "short", day: "numeric", year: long ? "numeric" : undefined };
  return new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en", {
    ...opts,
    hour12: false,
    timeZone: chart.timeZone,
  }).format(new Date(iso));
}

export function UsageChart({
  chart,
  isLoading,
  isError,
  onRetry,
  className,
}: {
  chart: UsageChartDTO | undefined;
  isLoading: boolean;
  isError: boolean;
  onRetry: () => void;
  className?: string;
}) {
  const { t, locale } = useI18n();
  const money = useMoney();
  const [metric, setMetric] = useState<ChartMetric>("quota");
  const captionId = useId();

  const series = useMemo(
    () => (chart ? [...chart.models, ...(chart.points.some((p) => !p.model) ? [OTHER] : [])] : []),
    [chart],
  );
  const data = useMemo(() => {
    if (!chart) return [];
    const byT = new Map<string, Record<string, number | string>>();
    for (const p of chart.points) {
      const row = byT.get(p.t) ?? { t: p.t };
      const value =
        metric === "quota"
          ? quotaToAmount(BigInt(p.quota), money.display).toNumber()
          : p.promptTokens + p.completionTokens;
      row[p.model ?? OTHER] = ((row[p.model ?? OTHER] as number) ?? 0) + value;
      byT.set(p.t, row);
    }
    return [...byT.values()];
  }, [chart, metric, money.display]);

  const nameOf = (s: string) => (s === OTHER ? t("logs.chart.other") : s);
  // tokens, and amounts in raw quota, carry no symbol
  const symbol = metric === "quota" ? money.symbol : "";
  const formatValue = (v: number) => formatPlotted(v, { symbol, locale });
  const axisValue = (v: number) => formatPlotted(v, { symbol, locale, compact: true });

  return (
    <div className={cn("space-y-3", className)} data-testid="usage-chart">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-zinc-500 dark:text-zinc-400" id={captionId}>
          {chart
            ? t(chart.granularity === "hour" ? "logs.chart.perHour" : "logs.chart.perDay", {
                from: bucketLabel(chart.from, chart, locale, true),
                to: bucketLabel(chart.to, chart, locale, true),
              })
            : "\u00a0"}
        </p>
        <div
          role="group"
          aria-label={t("logs.chart.metric")}
          className="inline-flex rounded-lg bg-zinc-100 p-0.5 dark:bg-zinc-800"
        >
          {(["quota", "tokens"] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={metric === m}
              onClick={() => setMetric(m)}
              className={cn(
                "rounded-md px-2.5 py-1 text-xs font-medium",
                metric === m
                  ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-900 dark:text-zinc-100"
                  : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
              )}
            >
              {t(m === "quota" ? "logs.chart.quota" : "logs.chart.tokens")}
            </button>
          ))}
        </div>
      </div>
      {isError ? (
        <ErrorState onRetry={onRetry} />
      ) : isLoading || !chart ? (
        <Skeleton className="h-64 w-full" />
      ) : chart.points.length === 0 ? (
        <EmptyState icon={BarChart3} body={t("logs.chart.empty")} className="h-64 justify-center py-6" />
      ) : (
        <>
          <div className="h-64 w-full text-zinc-500 dark:text-zinc-400" aria-hidden data-testid="usage-chart-graphic">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
                <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
                <XAxis
                  dataKey="t"
                  tickFormatter={(v: string) => bucketLabel(v, chart, locale)}
                  tick={{ fill: "currentColor", fontSize: 11 }}
                  stroke="currentColor"
                  strokeOpacity={0.3}
                  minTickGap={16}
                />
                <YAxis
                  tickFormatter={axisValue}
                  tick={{ fill: "currentColor", fontSize: 11 }}
                  stroke="currentColor"
                  strokeOpacity={0.3}
                  width={56}
                />
                <Tooltip
                  cursor={{ fill: "currentColor", fillOpacity: 0.08 }}
                  content={({ active, payload, label }) =>
                    active && payload?.length ? (
                      <div className="rounded-lg border border-zinc-200 bg-white px-3 py-2 text-xs shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
                        <p className="mb-1 font-medium text-zinc-900 dark:text-zinc-100">
                          {bucketLabel(String(label), chart, locale, true)}
                        </p>
                        {payload
                          .filter((p) => Number(p.value) > 0)
                          .map((p) => (
                            <p
                              key={String(p.dataKey)}
                              className="flex items-center gap-2 text-zinc-700 dark:text-zinc-300"
                            >
                              <span className="h-2 w-2 rounded-sm" style={{ background: p.color }} />
                              <span className="font-mono">{nameOf(String(p.dataKey))}</span>
                              <span className="ml-auto tabular-nums">{formatValue(Number(p.value))}</span>
                            </p>
                          ))}
                      </div>
                    ) : null
                  }
                />
                <Legend
                  formatter={(v: string) => (
                    <span className="text-xs text-zinc-700 dark:text-zinc-300">{nameOf(v)}</span>
                  )}
                  iconSize={8}
                  iconType="square"
                />
                {series.map((s, i) => (
                  <Bar
                    key={s}
                    dataKey={s}
                    stackId="usage"
                    fill={s === OTHER ? OTHER_COLOR : COLORS[i % COLORS.length]}
                    isAnimationActive={false}
                    maxBarSize={48}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="sr-only" data-testid="usage-chart-table" aria-describedby={captionId}>
            <caption>{t("logs.chart.tableCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("logs.chart.bucket")}</th>
                <th scope="col">{t("logs.col.model")}</th>
                <th scope="col">{t("logs.chart.quota")}</th>
                <th scope="col">{t("logs.tokens.prompt")}</th>
                <th scope="col">{t("logs.tokens.completion")}</th>
                <th scope="col">{t("logs.chart.requests")}</th>
              </tr>
            </thead>
            <tbody>
              {chart.points.map((p) => (
                <tr key={`${p.t}-${p.model ?? OTHER}`} data-model={p.model ?? ""} data-quota={p.quota}>
                  <td>{bucketLabel(p.t, chart, locale, true)}</td>
                  <td>{p.model ?? t("logs.chart.other")}</td>
                  <td>{money.format(p.quota)}</td>
                  <td>{p.promptTokens}</td>
                  <td>{p.completionTokens}</td>
                  <td>{p.requests}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
