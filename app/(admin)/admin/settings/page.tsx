import type { Metadata } from "next";
import { AdminSettingsView } from "@/components/admin/admin-settings-view";
import { requireAdmin } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { settingsTexts } from "@/lib/options/form";
import { getOptions } from "@/lib/options/service";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("sysSettings.title") };
}

export default async function Page() {
  await requireAdmin();
  const options = await getOptions();
  return (
    <AdminSettingsView
      initial={settingsTexts(options)}
      flags={{
        SelfUseModeEnabled: options.SelfUseModeEnabled,
        EnableFreeModelPreConsume: options.EnableFreeModelPreConsume,
      }}
    />
  );
}
