import type { Metadata } from "next";
import { SettingsView } from "@/components/settings/settings-view";
import { requireUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { listNotifications } from "@/lib/notifications/queries";
import { getNotifySettings } from "@/lib/notifications/settings";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("settings.title") };
}

export default async function SettingsPage() {
  const user = await requireUser();
  const [settings, history] = await Promise.all([getNotifySettings(user.id), listNotifications(user.id)]);
  return <SettingsView initialSettings={settings} initialHistory={history} />;
}
