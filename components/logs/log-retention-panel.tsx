"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Archive, Ban, Trash2 } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";
import { failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { cancelLogCleanupAction, logCleanupsAction, startLogCleanupAction } from "@/lib/logs/actions";
import { logKeys } from "@/lib/logs/query-keys";
import { fromDateInput, toDateInput } from "./log-filter-bar";
import { logTime } from "./logs-table";

type Cleanups = Extract<Awaited<ReturnType<typeof logCleanupsAction>>, { ok: true }>["data"];
type Cleanup = Cleanups[number];

const ACTIVE = new Set(["pending", "running"]);
const TONE = {
  pending: "neutral",
  running: "info",
  done: "success",
  failed: "danger",
  cancelled: "warning",
} as const;

/**
 * Retention (admin): delete the logs older than a day, in batches on the server, one task at a
 * time. While one runs the list is polled every second for its progress; it can be cancelled.
 */
export function LogRetentionPanel() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [today] = useState(() => Date.now());
  const [day, setDay] = useState(() => toDateInput(today - 90 * 86_400_000));
  const [confirming, setConfirming] = useState(false);

  const list = useQuery({
    queryKey: logKeys.cleanups(),
    queryFn: () => unwrap(logCleanupsAction({})),
    refetchInterval: (q) => (q.state.data?.some((c) => ACTIVE.has(c.status)) ? 1000 : false),
  });
  const active = list.data?.find((c) => ACTIVE.has(c.status)) ?? null;
  const before = fromDateInput(day);

  const onSettled = () => {
    void queryClient.invalidateQueries({ queryKey: logKeys.cleanups() });
  };
  const start = useMutation({
    mutationFn: (ms: number) => unwrap(startLogCleanupAction({ before: ms })),
    onSuccess: () => {
      toast.success(t("logs.retention.started"));
      setConfirming(false);
      // the rows, stats and charts of the log pages are about to change
      void queryClient.invalidateQueries({ queryKey: logKeys.all });
    },
    onError: (e) => {
      toast.error(failureMessage(e, t("error.internal")));
      setConfirming(false);
    },
    onSettled,
  });
  const cancel = useMutation({
    mutationFn: (id: number) => unwrap(cancelLogCleanupAction({ id })),
    onSuccess: () => toast.success(t("logs.retention.cancelRequested")),
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
    onSettled,
  });

  const dayText =
    before !== null
      ? new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en", { dateStyle: "long" }).format(before)
      : "";

  return (
    <Card data-testid="retention-panel">
      <CardHeader>
        <div>
          <CardTitle>{t("logs.retention.title")}</CardTitle>
          <CardDescription>{t("logs.retention.body")}</CardDescription>
        </div>
      </CardHeader>
      <div className="space-y-5 px-5 pb-5 sm:px-6 sm:pb-6">
        <form
          className="flex flex-col gap-3 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            if (before !== null) setConfirming(true);
          }}
        >
          <div className="space-y-1.5">
            <label htmlFor={inputId} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
              {t("logs.retention.before")}
            </label>
            <Input
              id={inputId}
              type="date"
              value={day}
              max={toDateInput(today)}
              onChange={(e) => setDay(e.target.value)}
              className="sm:w-48"
              data-testid="retention-date"
            />
          </div>
          <Button type="submit" variant="danger" disabled={before === null || active !== null || start.isPending}>
            <Trash2 aria-hidden />
            {t("logs.retention.start")}
          </Button>
        </form>
        {active ? (
          <CleanupProgress c={active} onCancel={() => cancel.mutate(active.id)} cancelling={cancel.isPending} />
        ) : null}
        <div>
          <h3 className="mb-2 text-sm font-semibold">{t("logs.retention.recent")}</h3>
          {list.isError ? (
            <ErrorState onRetry={() => void list.refetch()} />
          ) : !list.data ? (
            <Skeleton className="h-16 w-full" />
          ) : list.data.length === 0 ? (
            <EmptyState icon={Archive} body={t("logs.retention.none")} className="py-6" />
          ) : (
            <ul
              className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
              data-testid="retention-list"
            >
              {list.data.slice(0, 10).map((c) => (
                <li
                  key={c.id}
                  className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm"
                  data-testid="retention-item"
                  data-status={c.status}
                >
                  <Badge tone={TONE[c.status as keyof typeof TONE] ?? "neutral"}>{statusText(t, c.status)}</Badge>
                  <span>{t("logs.retention.olderThan", { day: logTime(c.before, locale).slice(0, 10) })}</span>
                  <span className="tabular-nums text-zinc-600 dark:text-zinc-400" data-testid="retention-deleted">
                    {t("logs.retention.deletedOf", {
                      deleted: BigInt(c.deleted).toLocaleString("en-US"),
                      total: BigInt(c.total).toLocaleString("en-US"),
                    })}
                  </span>
                  <span className="ml-auto text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
                    {logTime(c.createdAt, locale)}
                  </span>
                  {c.error ? <span className="w-full text-xs text-red-600 dark:text-red-400">{c.error}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        pending={start.isPending}
        title={t("logs.retention.confirm.title")}
        body={t("logs.retention.confirm.body", { day: dayText })}
        confirmLabel={t("logs.retention.confirm.action")}
        onConfirm={() => before !== null && start.mutate(before)}
      />
    </Card>
  );
}

function statusText(t: ReturnType<typeof useI18n>["t"], status: string) {
  return status in TONE ? t(`logs.retention.status.${status as keyof typeof TONE}`) : status;
}

function CleanupProgress({ c, onCancel, cancelling }: { c: Cleanup; onCancel: () => void; cancelling: boolean }) {
  const { t } = useI18n();
  const total = BigInt(c.total);
  const deleted = BigInt(c.deleted);
  const pct = total > 0n ? Number((deleted * 100n) / total) : 0;
  return (
    <div
      className="space-y-2 rounded-lg border border-indigo-200 bg-indigo-50/60 p-3 dark:border-indigo-900/60 dark:bg-indigo-950/30"
      data-testid="retention-progress"
    >
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="font-medium">{statusText(t, c.status)}</span>
        <span className="tabular-nums" role="status">
          {t("logs.retention.deletedOf", {
            deleted: deleted.toLocaleString("en-US"),
            total: total.toLocaleString("en-US"),
          })}{" "}
          ({pct}%)
        </span>
      </div>
      <div
        className="h-2 overflow-hidden rounded-full bg-indigo-100 dark:bg-indigo-900/50"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={t("logs.retention.progress")}
      >
        <div className="h-full bg-indigo-500 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <Button variant="secondary" size="sm" onClick={onCancel} disabled={cancelling}>
        <Ban aria-hidden />
        {t("logs.retention.cancel")}
      </Button>
    </div>
  );
}
