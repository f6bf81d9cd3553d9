"use client";
import { Moon, Sun } from "lucide-react";
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
      {/* moon in light mode, sun in dark mode */}
      <Moon aria-hidden className="h-5 w-5 dark:hidden" />
      <Sun aria-hidden className="hidden h-5 w-5 dark:block" />
    </button>
  );
}
