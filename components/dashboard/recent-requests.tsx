"use client";
import { Activity, ArrowRight, KeyRound } from "lucide-react";
import Link from "next/link";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { buttonClass } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import type { RecentRequestDTO } from "@/lib/logs/queries";

/** The dashboard's newest consume logs, with the way to all of them. */
export function RecentRequests({ items }: { items: RecentRequestDTO[] }) {
  const { t } = useI18n();
  return (
    <Card>
      <CardHeader className="flex-row items-center justify-between pb-3 sm:pb-4">
        <div>
          <CardTitle>{t("dashboard.recent.title")}</CardTitle>
          <CardDescription className="sr-only">{t("dashboard.recent.viewAll")}</CardDescription>
        </div>
        <Link href="/logs" className={buttonClass("secondary", "sm")}>
          {t("dashboard.recent.viewAll")}
          <ArrowRight aria-hidden />
        </Link>
      </CardHeader>
      {items.length === 0 ? (
        <EmptyState
          icon={Activity}
          body={t("dashboard.recent.empty")}
          className="pt-2"
          action={
            <Link href="/keys" className={buttonClass("primary", "sm")}>
              <KeyRound aria-hidden />
              {t("dashboard.recent.createKey")}
            </Link>
          }
        />
      ) : (
        <Table data-testid="recent-requests">
          <THead>
            <tr>
              <TH className="pl-5 sm:pl-6">{t("dashboard.recent.col.time")}</TH>
              <TH>{t("dashboard.recent.col.model")}</TH>
              <TH>{t("dashboard.recent.col.key")}</TH>
              <TH className="text-right">{t("dashboard.recent.col.tokens")}</TH>
              <TH className="pr-5 text-right sm:pr-6">{t("dashboard.recent.col.cost")}</TH>
            </tr>
          </THead>
          <TBody>
            {items.map((r) => (
              <TR key={r.id}>
                <TD className="whitespace-nowrap pl-5 text-zinc-600 sm:pl-6 dark:text-zinc-400">
                  <RelativeTime iso={r.createdAt} />
                </TD>
                <TD className="whitespace-nowrap font-mono text-xs">{r.modelName}</TD>
                <TD className="max-w-[10rem] truncate whitespace-nowrap">{r.tokenName}</TD>
                <TD className="whitespace-nowrap text-right tabular-nums">
                  {r.promptTokens.toLocaleString()} / {r.completionTokens.toLocaleString()}
                </TD>
                <TD className="whitespace-nowrap pr-5 text-right sm:pr-6">
                  <Money quota={r.quota} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
