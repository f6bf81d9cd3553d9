import type { Metadata } from "next";
import { LogsView } from "@/components/logs/logs-view";
import { requireUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { listKeys } from "@/lib/keys/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("logs.title") };
}

// The rows, stats and chart follow the filters in the URL, so the browser fetches them (server
// actions scoped to the session); the page hands over what the filters offer (the key names).
export default async function LogsPage() {
  const user = await requireUser();
  const { keys } = await listKeys(user.id);
  const keyNames = [...new Set(keys.map((k) => k.name))].sort();
  return <LogsView scope="self" keyNames={keyNames} />;
}
