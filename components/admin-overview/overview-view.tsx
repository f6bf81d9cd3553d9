"use client";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, BarChart3, CheckCircle2, RefreshCw, UsersRound } from "lucide-react";
import Link from "next/link";
import { unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { StatCard } from "@/components/dashboard/stat-card";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import { overviewAction } from "@/lib/overview/actions";
import type { OverviewDTO } from "@/lib/overview/queries";
import { overviewKeys } from "@/lib/overview/query-keys";

const REFRESH_MS = 60_000;

const share = (part: string, top: string) => {
  const t = BigInt(top);
  return t > 0n ? Number((BigInt(part) * 1000n) / t) / 10 : 0;
};

/** The admin overview: users, spend today and this month, who and what spent most, failing channels. */
export function OverviewView({ initial }: { initial: OverviewDTO }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: overviewKeys.all,
    queryFn: () => unwrap(overviewAction({})),
    initialData: initial,
    refetchInterval: REFRESH_MS,
  });
  const o = q.data;
  const num = (v: string | number) => Number(v).toLocaleString();

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("adminOverview.title")}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
            {t("adminOverview.subtitle", { zone: o.timeZone })}
          </p>
        </div>
        <Button variant="secondary" size="sm" onClick={() => void q.refetch()} disabled={q.isFetching}>
          <RefreshCw aria-hidden className={q.isFetching ? "animate-spin" : undefined} />
          {t("adminOverview.refresh")}
        </Button>
      </div>
      {q.isError ? <ErrorState onRetry={() => void q.refetch()} /> : null}

      <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
        <StatCard
          label={t("adminOverview.users")}
          value={num(o.users.total)}
          hint={t("adminOverview.newToday", { count: num(o.users.newToday) })}
          testId="overview-users"
        />
        <StatCard
          label={t("adminOverview.quotaToday")}
          value={<Money quota={o.today.quota} digits={2} />}
          hint={t("adminOverview.requests", { count: num(o.today.requests) })}
          testId="overview-today"
        />
        <StatCard
          label={t("adminOverview.quotaMonth")}
          value={<Money quota={o.month.quota} digits={2} />}
          hint={t("adminOverview.requests", { count: num(o.month.requests) })}
          testId="overview-month"
        />
        <StatCard
          label={t("adminOverview.requestsToday")}
          value={num(o.today.requests)}
          hint={t("adminOverview.requestsMonth", { count: num(o.month.requests) })}
        />
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader className="pb-4 sm:pb-4">
            <div>
              <CardTitle>{t("adminOverview.topModels")}</CardTitle>
              <CardDescription>{t("adminOverview.last7Days")}</CardDescription>
            </div>
          </CardHeader>
          {o.topModels.length === 0 ? (
            <EmptyState icon={BarChart3} body={t("adminOverview.noUsage")} className="py-8" />
          ) : (
            <ol className="space-y-3 px-5 pb-5 sm:px-6" data-testid="top-models">
              {o.topModels.map((m) => (
                <li key={m.model} className="space-y-1">
                  <div className="flex items-baseline justify-between gap-3 text-sm">
                    <span className="truncate font-mono">{m.model}</span>
                    <Money quota={m.quota} digits={2} className="font-medium" />
                  </div>
                  <div className="h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
                    <div
                      className="h-full rounded-full bg-indigo-500"
                      style={{ width: `${share(m.quota, o.topModels[0].quota)}%` }}
                    />
                  </div>
                  <p className="text-xs text-zinc-500 dark:text-zinc-400">
                    {t("adminOverview.modelLine", { requests: num(m.requests), tokens: num(m.tokens) })}
                  </p>
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card>
          <CardHeader className="pb-4 sm:pb-4">
            <div>
              <CardTitle>{t("adminOverview.topUsers")}</CardTitle>
              <CardDescription>{t("adminOverview.last7Days")}</CardDescription>
            </div>
          </CardHeader>
          {o.topUsers.length === 0 ? (
            <EmptyState icon={UsersRound} body={t("adminOverview.noUsage")} className="py-8" />
          ) : (
            <ol className="space-y-3 px-5 pb-5 sm:px-6" data-testid="top-users">
              {o.topUsers.map((u) => (
                <li key={u.userId} className="space-y-1">
                  <div className="flex items-baseline justify-between gap-3 text-sm">
                    <Link
                      href={`/admin/users?q=${encodeURIComponent(u.username)}`}
                      className="truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {u.username}
                    </Link>
                    <Money quota={u.quota} digits={2} className="font-medium" />
                  </div>
                  <div className="h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
                    <div
                      className="h-full rounded-full bg-emerald-500"
                      style={{ width: `${share(u.quota, o.topUsers[0].quota)}%` }}
                    />
                  </div>
                  <p className="text-xs text-zinc-500 dark:text-zinc-400">
                    {t("adminOverview.requests", { count: num(u.requests) })}
                  </p>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>

      <Card>
        <CardHeader className="pb-4 sm:pb-4">
          <div>
            <CardTitle>{t("adminOverview.channelErrors")}</CardTitle>
            <CardDescription>{t("adminOverview.lastHour")}</CardDescription>
          </div>
        </CardHeader>
        {o.channelErrors.length === 0 ? (
          <EmptyState icon={CheckCircle2} body={t("adminOverview.noErrors")} className="py-8" />
        ) : (
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="channel-errors">
            {o.channelErrors.map((c) => (
              <li key={c.channelId ?? "none"} className="flex items-start gap-3 px-5 py-3 sm:px-6">
                <AlertTriangle aria-hidden className="mt-0.5 h-4 w-4 shrink-0 text-amber-500" />
                <div className="min-w-0 flex-1 text-sm">
                  <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                    {c.channelId !== null ? (
                      <Link
                        href={`/admin/logs?type=5&channel=${c.channelId}`}
                        className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {c.name ?? t("adminOverview.deletedChannel", { id: c.channelId })}
                      </Link>
                    ) : (
                      <span className="font-medium">{t("adminOverview.noChannel")}</span>
                    )}
                    <span className="text-xs text-zinc-500 dark:text-zinc-400">
                      {t("adminOverview.errorCount", { count: c.errors })} · <RelativeTime iso={c.lastAt} />
                    </span>
                  </div>
                  <p className="mt-0.5 truncate text-xs text-zinc-500 dark:text-zinc-400" title={c.lastMessage}>
                    {c.lastMessage}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
