import type { Metadata } from "next";
import { notFound } from "next/navigation";
import Link from "next/link";
import { ArrowRightLeft } from "lucide-react";
import { CopyField } from "@/components/dashboard/copy-field";
import { RecentRequests } from "@/components/dashboard/recent-requests";
import { StatCard } from "@/components/dashboard/stat-card";
import { UsageChartCard } from "@/components/dashboard/usage-chart-card";
import { Money } from "@/components/money/money-provider";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { listRecentRequests } from "@/lib/logs/queries";
import { getDashboard, getPublicOrigin } from "@/lib/users/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("dashboard.title") };
}

export default async function DashboardPage() {
  const user = await requireUser();
  const [{ t }, dashboard, origin, recent] = await Promise.all([
    getTranslator(),
    getDashboard(user.id),
    getPublicOrigin(),
    listRecentRequests(user.id, 5),
  ]);
  if (!dashboard) notFound();
  const inviteLink = `${origin}/register?aff=${encodeURIComponent(dashboard.affCode)}`;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("dashboard.title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {t("dashboard.welcome", { name: dashboard.displayName })}
          <span className="mx-2 text-zinc-300 dark:text-zinc-700">·</span>
          {t("dashboard.group", { group: dashboard.group })}
        </p>
      </div>

      <section className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4">
        <StatCard
          className="col-span-2 sm:col-span-1"
          label={t("dashboard.balance")}
          value={<Money quota={dashboard.raw.quota} digits={4} />}
          testId="stat-balance"
        />
        <StatCard
          label={t("dashboard.usedQuota")}
          value={<Money quota={dashboard.raw.usedQuota} digits={4} />}
          testId="stat-used"
        />
        <StatCard label={t("dashboard.requestCount")} value={dashboard.requestCount} testId="stat-requests" />
      </section>

      <UsageChartCard />

      <Card className="p-5 sm:p-6">
        <div className="flex flex-col gap-6 lg:flex-row lg:items-start lg:justify-between">
          <div className="max-w-md">
            <h2 className="text-base font-semibold">{t("dashboard.invite.title")}</h2>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("dashboard.invite.body")}</p>
          </div>
          <dl className="grid grid-cols-3 gap-4 text-sm lg:min-w-[22rem]">
            <div>
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("dashboard.invite.rewards")}</dt>
              <dd className="mt-1 font-semibold tabular-nums" data-testid="stat-aff-quota">
                <Money quota={dashboard.raw.affQuota} digits={4} />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("dashboard.invite.history")}</dt>
              <dd className="mt-1 font-semibold tabular-nums" data-testid="stat-aff-history">
                <Money quota={dashboard.raw.affHistoryQuota} digits={4} />
              </dd>
            </div>
            <div>
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("dashboard.invite.count")}</dt>
              <dd className="mt-1 font-semibold tabular-nums" data-testid="stat-aff-count">
                {dashboard.affCount}
              </dd>
            </div>
          </dl>
        </div>
        <div className="mt-6 grid gap-4 md:grid-cols-[minmax(0,14rem)_minmax(0,1fr)]">
          <CopyField label={t("dashboard.invite.code")} value={dashboard.affCode} testId="aff-code" />
          <CopyField label={t("dashboard.invite.link")} value={inviteLink} testId="aff-link" />
        </div>
        <div className="mt-4 flex flex-col gap-3 border-t border-zinc-100 pt-4 sm:flex-row sm:items-center sm:justify-between dark:border-zinc-800">
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{t("dashboard.invite.transferHint")}</p>
          <Link href="/wallet" className={buttonClass("secondary", "sm")}>
            <ArrowRightLeft aria-hidden />
            {t("dashboard.invite.transfer")}
          </Link>
        </div>
      </Card>

      <RecentRequests items={recent} />
    </div>
  );
}
