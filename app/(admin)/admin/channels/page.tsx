import type { Metadata } from "next";
import { ChannelsView } from "@/components/admin/channels-view";
import { requireAdmin } from "@/lib/auth";
import { listChannelsWithStats } from "@/lib/channels/queries";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("channels.title") };
}

export default async function Page() {
  await requireAdmin();
  return <ChannelsView initial={await listChannelsWithStats()} />;
}
