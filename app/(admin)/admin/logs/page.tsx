import type { Metadata } from "next";
import { LogRetentionPanel } from "@/components/logs/log-retention-panel";
import { LogsView } from "@/components/logs/logs-view";
import { requireAdmin } from "@/lib/auth";
import { listChannels } from "@/lib/channels/queries";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("logs.admin.title") };
}

export default async function AdminLogsPage() {
  await requireAdmin();
  const channels = (await listChannels()).map((c) => ({ id: c.id, name: c.name }));
  return <LogsView scope="admin" channels={channels} aside={<LogRetentionPanel />} />;
}
