"use client";
import { ChevronDown, ChevronRight } from "lucide-react";
import { Fragment, useState, type ReactNode } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import type { AdminLogRowDTO, LogRowDTO } from "@/lib/logs/rows";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { ChargeExplanation, UsageSourceLabel } from "./charge-explanation";

type Row = LogRowDTO | AdminLogRowDTO;

const TYPE_TONE: Record<number, "info" | "success" | "neutral" | "danger" | "warning"> = {
  [LOG_TYPE.consume]: "info",
  [LOG_TYPE.topup]: "success",
  [LOG_TYPE.manage]: "neutral",
  [LOG_TYPE.system]: "neutral",
  [LOG_TYPE.error]: "danger",
  [LOG_TYPE.refund]: "warning",
  [LOG_TYPE.login]: "neutral",
};

const KNOWN_TYPES = new Set<number>(Object.values(LOG_TYPE));

/** a log's time to the second, in the reader's zone (rows render only in the browser) */
export function logTime(iso: string, locale: string, withYear = true) {
  return new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en", {
    year: withYear ? "numeric" : undefined,
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(iso));
}

function LogTypeBadge({ type }: { type: number }) {
  const { t } = useI18n();
  return (
    <Badge tone={TYPE_TONE[type] ?? "neutral"}>
      {KNOWN_TYPES.has(type) && type !== 0 ? t(`logs.type.${type as 1 | 2 | 3 | 4 | 5 | 6 | 7}`) : String(type)}
    </Badge>
  );
}

const n = (v: number) => v.toLocaleString("en-US");
const dim = "text-zinc-400 dark:text-zinc-500";

/** The rows of one page: a table from md up (it scrolls sideways), cards on phones; each row expands. */
export function LogsTable({ rows, admin }: { rows: Row[]; admin: boolean }) {
  const { t, locale } = useI18n();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const a = (r: Row) => r as AdminLogRowDTO;
  const thisYear = new Date().getFullYear();

  const columns: { id: string; head: ReactNode; cell: (r: Row) => ReactNode; className?: string }[] = [
    {
      id: "time",
      head: t("logs.col.time"),
      // the year only when it is not this one: the table has many columns to fit
      cell: (r) => (
        <time dateTime={r.createdAt} title={logTime(r.createdAt, locale)}>
          {logTime(r.createdAt, locale, new Date(r.createdAt).getFullYear() !== thisYear)}
        </time>
      ),
      className: "tabular-nums",
    },
    ...(admin
      ? [
          {
            id: "user",
            head: t("logs.col.user"),
            cell: (r: Row) => <span className="font-medium">{a(r).username}</span>,
          },
        ]
      : []),
    {
      id: "key",
      head: t("logs.col.key"),
      cell: (r) => (r.tokenName ? <span className="block max-w-[9rem] truncate">{r.tokenName}</span> : dash),
    },
    {
      id: "model",
      head: t("logs.col.model"),
      cell: (r) => (r.modelName ? <span className="font-mono text-xs">{r.modelName}</span> : dash),
    },
    { id: "group", head: t("logs.col.group"), cell: (r) => r.group || dash },
    { id: "type", head: t("logs.col.type"), cell: (r) => <LogTypeBadge type={r.type} /> },
    ...(admin
      ? [
          {
            id: "channel",
            head: t("logs.col.channel"),
            cell: (r: Row) =>
              a(r).channelId !== null ? (
                <span className="block max-w-[9rem] truncate" title={a(r).channelName ?? undefined}>
                  #{a(r).channelId} {a(r).channelName}
                </span>
              ) : (
                dash
              ),
          },
        ]
      : []),
    { id: "prompt", head: t("logs.col.prompt"), cell: (r) => n(r.promptTokens), className: "text-right tabular-nums" },
    {
      id: "completion",
      head: t("logs.col.completion"),
      cell: (r) => n(r.completionTokens),
      className: "text-right tabular-nums",
    },
    {
      id: "cached",
      head: t("logs.col.cached"),
      cell: (r) => (r.cachedTokens ? n(r.cachedTokens) : <span className={dim}>0</span>),
      className: "text-right tabular-nums",
    },
    {
      id: "quota",
      head: t("logs.col.quota"),
      cell: (r) => <Money quota={r.quota} testId="log-quota" />,
      className: "text-right",
    },
    {
      id: "duration",
      head: t("logs.col.duration"),
      cell: (r) => (r.type === LOG_TYPE.consume ? `${n(r.useTime)} s` : dash),
      className: "text-right tabular-nums",
    },
    {
      id: "stream",
      head: t("logs.col.stream"),
      cell: (r) =>
        r.type !== LOG_TYPE.consume ? (
          dash
        ) : r.isStream ? (
          <Badge tone="info">{t("logs.stream.yes")}</Badge>
        ) : (
          <Badge>{t("logs.stream.no")}</Badge>
        ),
    },
    ...(admin
      ? [
          {
            id: "usageSource",
            head: t("logs.col.usageSource"),
            cell: (r: Row) =>
              typeof r.other.usage_source === "string" ? <UsageSourceLabel source={r.other.usage_source} /> : dash,
          },
          {
            id: "upstream",
            head: t("logs.col.upstreamRequestId"),
            cell: (r: Row) =>
              a(r).upstreamRequestId ? (
                <span className="block max-w-[10rem] truncate font-mono text-xs" title={a(r).upstreamRequestId}>
                  {a(r).upstreamRequestId}
                </span>
              ) : (
                dash
              ),
          },
          { id: "ip", head: t("logs.col.ip"), cell: (r: Row) => a(r).ip || dash, className: "font-mono text-xs" },
        ]
      : []),
  ];

  return (
    <>
      <div className="hidden md:block" data-testid="logs-table">
        <Table>
          <THead>
            <tr>
              <TH className="w-10 pl-3">
                <span className="sr-only">{t("logs.details")}</span>
              </TH>
              {columns.map((c) => (
                <TH key={c.id} className={cn("px-2", c.className?.includes("text-right") && "text-right")}>
                  {c.head}
                </TH>
              ))}
            </tr>
          </THead>
          <TBody>
            {rows.map((r) => {
              const expanded = open.has(r.id);
              return (
                <Fragment key={r.id}>
                  <TR data-testid="log-row" data-state={expanded ? "selected" : undefined}>
                    <TD className="w-10 pl-3">
                      <Button
                        variant="ghost"
                        size="icon-sm"
                        aria-expanded={expanded}
                        aria-label={t(
                          expanded ? "logs.collapse" : r.type === LOG_TYPE.consume ? "logs.expand" : "logs.expandOther",
                        )}
                        onClick={() => toggle(r.id)}
                        data-testid="log-expand"
                      >
                        {expanded ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
                      </Button>
                    </TD>
                    {columns.map((c) => (
                      <TD key={c.id} className={cn("whitespace-nowrap px-2", c.className)} data-col={c.id}>
                        {c.cell(r)}
                      </TD>
                    ))}
                  </TR>
                  {expanded ? (
                    <tr className="bg-zinc-50/60 dark:bg-zinc-950/40">
                      <td colSpan={columns.length + 1} className="px-4 py-4 sm:px-6">
                        {/* the table may be wider than its card: keep the details in view at its left */}
                        <div className="sticky left-6 max-w-3xl">
                          <ChargeExplanation row={r} admin={admin} />
                        </div>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </TBody>
        </Table>
      </div>
      <ul className="divide-y divide-zinc-100 md:hidden dark:divide-zinc-800" data-testid="logs-cards">
        {rows.map((r) => {
          const expanded = open.has(r.id);
          return (
            <li key={r.id} className="space-y-2 p-4" data-testid="log-card">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="truncate font-mono text-sm">{r.modelName || t(`logs.type.${typeKey(r.type)}`)}</p>
                  <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
                    {logTime(r.createdAt, locale)}
                    {admin ? ` · ${a(r).username}` : ""}
                  </p>
                </div>
                <div className="flex shrink-0 flex-col items-end gap-1">
                  <Money quota={r.quota} className="font-semibold" />
                  <LogTypeBadge type={r.type} />
                </div>
              </div>
              <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
                {r.tokenName ? <span className="max-w-[10rem] truncate">{r.tokenName}</span> : null}
                {r.group ? <span>{r.group}</span> : null}
                {r.type === LOG_TYPE.consume ? (
                  <>
                    <span className="tabular-nums">
                      {n(r.promptTokens)} / {n(r.completionTokens)}
                      {r.cachedTokens ? ` (${n(r.cachedTokens)} ${t("logs.cachedShort")})` : ""}
                    </span>
                    <span className="tabular-nums">{n(r.useTime)} s</span>
                    {r.isStream ? <span>{t("logs.stream.yes")}</span> : null}
                  </>
                ) : null}
              </p>
              <Button
                variant="link"
                size="sm"
                className="text-xs"
                aria-expanded={expanded}
                onClick={() => toggle(r.id)}
              >
                {expanded ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
                {t(expanded ? "logs.collapse" : r.type === LOG_TYPE.consume ? "logs.expand" : "logs.expandOther")}
              </Button>
              {expanded ? (
                <div className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
                  <ChargeExplanation row={r} admin={admin} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}

const dash = <span className={dim}>—</span>;
const typeKey = (type: number) => (KNOWN_TYPES.has(type) && type !== 0 ? (type as 1 | 2 | 3 | 4 | 5 | 6 | 7) : 2);
