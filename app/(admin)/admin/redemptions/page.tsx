import type { Metadata } from "next";
import { RedemptionsView } from "@/components/admin/redemptions-view";
import { requireAdmin } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { listRedemptions } from "@/lib/redemption/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("redemptions.title") };
}

export default async function Page() {
  await requireAdmin();
  // the unfiltered first page; a filtered URL loads its own on the client
  return <RedemptionsView initial={await listRedemptions({})} />;
}
