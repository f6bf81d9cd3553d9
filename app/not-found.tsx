import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { getTranslator } from "@/lib/i18n/server";

export default async function NotFound() {
  const { t } = await getTranslator();
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center gap-4 px-4 text-center">
      <p className="text-5xl font-semibold tracking-tight text-indigo-600 dark:text-indigo-400">404</p>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("notFound.body")}</p>
      <Link href="/" className={buttonClass("secondary")}>
        {t("notFound.home")}
      </Link>
    </div>
  );
}
