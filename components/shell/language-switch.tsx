"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import { rememberPreference, setDocumentLang } from "./client-prefs";
import { LOCALE_COOKIE, LOCALE_LABELS, LOCALES, type Locale } from "@/lib/i18n";

/** EN | 中文: stores the choice in a cookie and re-renders the server components in that language. */
export function LanguageSwitch({ className }: { className?: string }) {
  const { locale, t } = useI18n();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function choose(next: Locale) {
    if (next === locale) return;
    rememberPreference(LOCALE_COOKIE, next);
    setDocumentLang(next === "zh" ? "zh-CN" : "en");
    startTransition(() => router.refresh());
  }

  return (
    <div
      role="group"
      aria-label={t("shell.language")}
      className={cn(
        "inline-flex h-9 items-center rounded-lg bg-zinc-100 p-0.5 text-xs font-medium dark:bg-zinc-800",
        pending && "opacity-70",
        className,
      )}
    >
      {LOCALES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          aria-pressed={l === locale}
          onClick={() => choose(l)}
          className={cn(
            "h-8 rounded-md px-2.5 transition-colors",
            l === locale
              ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-950 dark:text-zinc-100"
              : "text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100",
          )}
        >
          {LOCALE_LABELS[l]}
        </button>
      ))}
    </div>
  );
}
