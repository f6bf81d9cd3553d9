import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { WalletView } from "@/components/wallet/wallet-view";
import { requireUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { listWalletCredits } from "@/lib/logs/queries";
import { getDashboard } from "@/lib/users/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("wallet.title") };
}

export default async function WalletPage() {
  const user = await requireUser();
  const [summary, credits] = await Promise.all([getDashboard(user.id), listWalletCredits(user.id)]);
  if (!summary) notFound();
  return <WalletView initialSummary={summary} initialCredits={credits} />;
}
