import { Card } from "@/components/ui/card";
import type { MessageKey } from "@/lib/i18n";
import { getTranslator } from "@/lib/i18n/server";

/** Placeholder for pages that later issues fill in. */
export async function ComingSoon({ title }: { title: MessageKey }) {
  const { t } = await getTranslator();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">{t(title)}</h1>
      <Card className="flex flex-col items-center gap-2 px-6 py-16 text-center">
        <span className="rounded-full bg-indigo-50 px-3 py-1 text-xs font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
          {t("shell.comingSoon")}
        </span>
        <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">{t("shell.comingSoonBody")}</p>
      </Card>
    </div>
  );
}

export async function comingSoonMetadata(title: MessageKey) {
  const { t } = await getTranslator();
  return { title: t(title) };
}
