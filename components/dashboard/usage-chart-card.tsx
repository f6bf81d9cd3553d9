"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ArrowRight } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useTimeZone } from "@/components/logs/use-time-zone";
import { UsageChart } from "@/components/logs/usage-chart";
import { PRESET_MS } from "@/components/logs/use-log-filters";
import { buttonClass } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { myUsageChartAction } from "@/lib/logs/actions";
import { logKeys } from "@/lib/logs/query-keys";

const RANGES = ["7d", "30d", "90d"] as const;
type DashRange = (typeof RANGES)[number];

/** The dashboard's usage: quota and tokens per day by model over the last 7, 30 or 90 days. */
export function UsageChartCard() {
  const { t } = useI18n();
  const timeZone = useTimeZone();
  const [range, setRange] = useState<DashRange>("7d");
  // one "now" per choice of range, so the query key is stable while the card is shown
  const [now] = useState(() => Date.now());
  const filters = { from: now - PRESET_MS[range] };
  const chart = useQuery({
    queryKey: logKeys.chart("self", filters, timeZone),
    queryFn: () => unwrap(myUsageChartAction({ filters, timeZone })),
    placeholderData: keepPreviousData,
  });
  return (
    <Card data-testid="dashboard-usage">
      <CardHeader className="pb-2 sm:pb-3">
        <div>
          <CardTitle>{t("dashboard.usage.title")}</CardTitle>
          <CardDescription>{t("dashboard.usage.subtitle")}</CardDescription>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <div
            role="group"
            aria-label={t("logs.filters.range")}
            className="inline-flex rounded-lg bg-zinc-100 p-0.5 dark:bg-zinc-800"
          >
            {RANGES.map((r) => (
              <button
                key={r}
                type="button"
                aria-pressed={range === r}
                onClick={() => setRange(r)}
                className={cn(
                  "rounded-md px-2.5 py-1 text-xs font-medium",
                  range === r
                    ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-900 dark:text-zinc-100"
                    : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
                )}
              >
                {t(`logs.range.${r}`)}
              </button>
            ))}
          </div>
          <Link href={`/logs?range=${range}`} className={buttonClass("ghost", "sm")}>
            {t("dashboard.usage.viewLogs")}
            <ArrowRight aria-hidden />
          </Link>
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
  );
}
