"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, ChevronsLeft, RefreshCw, ScrollText } from "lucide-react";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import { unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import {
  adminLogStatsAction,
  adminLogsAction,
  adminUsageChartAction,
  myLogStatsAction,
  myLogsAction,
  myUsageChartAction,
} from "@/lib/logs/actions";
import type { LogFilters } from "@/lib/logs/filters";
import { logKeys, type LogViewScope } from "@/lib/logs/query-keys";
import type { AdminLogRowDTO, LogRowDTO } from "@/lib/logs/rows";
import type { LogPageDTO, LogStatsDTO } from "@/lib/logs/service";
import { CsvExportButton } from "./csv-export-button";
import { LogFilterBar } from "./log-filter-bar";
import { LogsTable } from "./logs-table";
import { UsageChart } from "./usage-chart";
import { useLogFilters, type FilterProblem } from "./use-log-filters";
import { useTimeZone } from "./use-time-zone";

type Page = LogPageDTO<LogRowDTO | AdminLogRowDTO>;

const fetchers = {
  self: {
    page: (filters: LogFilters, cursor: { after?: string; before?: string }) =>
      unwrap(myLogsAction({ filters, ...cursor })) as Promise<Page>,
    stats: (filters: LogFilters) => unwrap(myLogStatsAction({ filters })),
    chart: (filters: LogFilters, timeZone: string) => unwrap(myUsageChartAction({ filters, timeZone })),
  },
  admin: {
    page: (filters: LogFilters, cursor: { after?: string; before?: string }) =>
      unwrap(adminLogsAction({ filters, ...cursor })) as Promise<Page>,
    stats: (filters: LogFilters) => unwrap(adminLogStatsAction({ filters })),
    chart: (filters: LogFilters, timeZone: string) => unwrap(adminUsageChartAction({ filters, timeZone })),
  },
};

/** The logs page, for a user's own logs or (admin) everyone's; `aside` is shown below (retention). */
export function LogsView(props: {
  scope: LogViewScope;
  keyNames?: string[];
  channels?: { id: number; name: string }[];
  aside?: ReactNode;
}) {
  return (
    <NuqsAdapter>
      <LogsViewInner {...props} />
    </NuqsAdapter>
  );
}

function LogsViewInner({
  scope,
  keyNames,
  channels,
  aside,
}: {
  scope: LogViewScope;
  keyNames?: string[];
  channels?: { id: number; name: string }[];
  aside?: ReactNode;
}) {
  const { t } = useI18n();
  const { state, view, setFilters, setCursor, clearAll, refresh } = useLogFilters(scope);
  const timeZone = useTimeZone();
  const ok = view.problems.length === 0;
  const f = fetchers[scope];
  const admin = scope === "admin";

  const page = useQuery({
    queryKey: logKeys.page(scope, view.filters, view.cursor),
    queryFn: () => f.page(view.filters, view.cursor),
    enabled: ok,
    placeholderData: keepPreviousData,
  });
  const stats = useQuery({
    queryKey: logKeys.stats(scope, view.filters),
    queryFn: () => f.stats(view.filters),
    enabled: ok,
    placeholderData: keepPreviousData,
  });
  const chart = useQuery({
    queryKey: logKeys.chart(scope, view.filters, timeZone),
    queryFn: () => f.chart(view.filters, timeZone),
    enabled: ok,
    placeholderData: keepPreviousData,
  });

  const title = admin ? t("logs.admin.title") : t("logs.title");
  const data = page.data;

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
            {admin ? t("logs.admin.subtitle") : t("logs.subtitle")}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2 self-end sm:self-auto">
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              refresh();
              void page.refetch();
              void stats.refetch();
              void chart.refetch();
            }}
          >
            <RefreshCw aria-hidden />
            {t("logs.refresh")}
          </Button>
          <CsvExportButton scope={scope} filters={view.filters} disabled={!ok} />
        </div>
      </div>

      <Card className="overflow-hidden">
        <LogFilterBar
          scope={scope}
          state={state}
          range={view.range}
          onChange={setFilters}
          onReset={clearAll}
          keyNames={keyNames}
          channels={channels}
        />
        {!ok ? (
          <div className="p-3 sm:p-4">
            <Alert tone="error" testId="filter-error">
              <p className="font-medium">{t("logs.problem.title")}</p>
              <ul className="mt-1 list-disc space-y-0.5 pl-5">
                {view.problems.map((p) => (
                  <li key={p.field}>{problemText(t, p.field)}</li>
                ))}
              </ul>
              <Button variant="secondary" size="sm" className="mt-2" onClick={clearAll}>
                {t("logs.problem.reset")}
              </Button>
            </Alert>
          </div>
        ) : (
          <StatsBar stats={stats.data} loading={stats.isPending} error={stats.isError} />
        )}
      </Card>

      {ok ? (
        <>
          <Card>
            <CardHeader className="pb-2 sm:pb-3">
              <div>
                <CardTitle>{t("logs.chart.title")}</CardTitle>
                <CardDescription>{t("logs.chart.subtitle")}</CardDescription>
              </div>
            </CardHeader>
            <div className="px-3 pb-4 sm:px-6 sm:pb-6">
              <UsageChart
                chart={chart.data}
                isLoading={chart.isPending}
                isError={chart.isError}
                onRetry={() => void chart.refetch()}
              />
            </div>
          </Card>

          <Card className="overflow-hidden">
            {page.isError ? (
              <ErrorState onRetry={() => void page.refetch()} />
            ) : !data ? (
              <div className="space-y-2 p-4" aria-busy>
                {Array.from({ length: 6 }, (_, i) => (
                  <Skeleton key={i} className="h-9 w-full" />
                ))}
              </div>
            ) : data.items.length === 0 ? (
              <EmptyState
                icon={ScrollText}
                title={t("logs.empty.title")}
                body={
                  Object.keys(view.filters).some((k) => k !== "from" && k !== "to")
                    ? t("logs.empty.filtered")
                    : t("logs.empty.body")
                }
              />
            ) : (
              <div className={page.isPlaceholderData ? "opacity-60 transition-opacity" : undefined}>
                <LogsTable rows={data.items} admin={admin} />
              </div>
            )}
            {data && (data.items.length > 0 || data.prev) ? (
              <div className="flex flex-col gap-3 border-t border-zinc-200 px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between dark:border-zinc-800">
                <span className="text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="log-total">
                  {data.capped
                    ? t("logs.total.capped", { total: data.total.toLocaleString("en-US") })
                    : t("logs.total", { total: data.total.toLocaleString("en-US") })}
                </span>
                <div className="flex gap-2">
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() => setCursor({})}
                    disabled={!view.cursor.after && !view.cursor.before}
                  >
                    <ChevronsLeft aria-hidden />
                    {t("logs.page.newest")}
                  </Button>
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => setCursor({ before: data.prev })}
                    disabled={!data.prev || page.isFetching}
                  >
                    <ChevronLeft aria-hidden />
                    {t("logs.page.newer")}
                  </Button>
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => setCursor({ after: data.next })}
                    disabled={!data.next || page.isFetching}
                  >
                    {t("logs.page.older")}
                    <ChevronRight aria-hidden />
                  </Button>
                </div>
              </div>
            ) : null}
          </Card>
        </>
      ) : null}
      {aside}
    </div>
  );
}

function problemText(t: ReturnType<typeof useI18n>["t"], field: FilterProblem) {
  return t(`logs.problem.${field}`);
}

function StatsBar({ stats, loading, error }: { stats?: LogStatsDTO; loading: boolean; error: boolean }) {
  const { t } = useI18n();
  const cell = (label: string, hint: string, value: ReactNode, testId: string) => (
    <div className="min-w-0 px-4 py-3 sm:px-5">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400" title={hint}>
        {label}
      </dt>
      <dd className="mt-0.5 truncate text-lg font-semibold tabular-nums" data-testid={testId}>
        {error ? "—" : loading || !stats ? <Skeleton className="mt-1 h-5 w-16" /> : value}
      </dd>
      <p className="hidden text-[11px] text-zinc-400 sm:block dark:text-zinc-500">{hint}</p>
    </div>
  );
  return (
    <dl
      className="grid grid-cols-3 divide-x divide-zinc-100 dark:divide-zinc-800"
      aria-label={t("logs.stats.label")}
      data-testid="log-stats"
    >
      {cell(
        t("logs.stats.quota"),
        t("logs.stats.quotaHint"),
        stats ? <Money quota={stats.quota} digits={4} /> : null,
        "stat-quota",
      )}
      {cell(t("logs.stats.rpm"), t("logs.stats.rpmHint"), stats?.rpm.toLocaleString("en-US"), "stat-rpm")}
      {cell(t("logs.stats.tpm"), t("logs.stats.tpmHint"), stats?.tpm.toLocaleString("en-US"), "stat-tpm")}
    </dl>
  );
}
