"use client";
import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import { isDark, rememberPreference, setDarkClass } from "./client-prefs";
import { THEME_COOKIE, type Theme } from "./theme";

function apply(theme: Theme) {
  setDarkClass(theme === "dark");
  rememberPreference(THEME_COOKIE, theme);
}

/** Switches light/dark. Which icon and label show is decided by CSS (the `dark` class), so server and client agree. */
export function ThemeToggle({ className }: { className?: string }) {
  const t = useT();
  return (
    <button
      type="button"
      data-testid="theme-toggle"
      onClick={() => apply(isDark() ? "light" : "dark")}
      className={cn(
        "inline-flex h-9 w-9 items-center justify-center rounded-lg text-zinc-600 transition-colors hover:bg-zinc-100 hover:text-zinc-900",
        "dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
        className,
      )}
    >
      <span className="sr-only dark:hidden">{t("shell.theme.toDark")}</span>
      <span className="sr-only hidden dark:inline">{t("shell.theme.toLight")}</span>
      {/* moon: shown in light mode */}
      <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5 dark:hidden" fill="none" stroke="currentColor" strokeWidth={1.8}>
        <path strokeLinecap="round" strokeLinejoin="round" d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8Z" />
      </svg>
      {/* sun: shown in dark mode */}
      <svg aria-hidden viewBox="0 0 24 24" className="hidden h-5 w-5 dark:block" fill="none" stroke="currentColor" strokeWidth={1.8}>
        <circle cx="12" cy="12" r="4" />
        <path strokeLinecap="round" d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
      </svg>
    </button>
  );
}
