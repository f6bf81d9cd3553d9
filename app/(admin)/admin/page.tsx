import type { Metadata } from "next";
import { OverviewView } from "@/components/admin-overview/overview-view";
import { requireAdmin } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { getOverview } from "@/lib/overview/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.admin.overview") };
}

export default async function OverviewPage() {
  await requireAdmin();
  return <OverviewView initial={await getOverview()} />;
}
