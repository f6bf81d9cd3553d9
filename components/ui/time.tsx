"use client";
import { useSyncExternalStore } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";

// Times in the reader's time zone and language. The server does not know the zone, so the text
// is written after hydration (the <time> element carries the exact instant meanwhile).

const noop = () => () => {};
const useHydrated = () =>
  useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );

// one clock for every relative time on the page, ticking every 30 s (0 on the server)
let clockNow = Date.now();
const clockListeners = new Set<() => void>();
let clockTimer: ReturnType<typeof setInterval> | undefined;
function subscribeClock(onChange: () => void) {
  if (clockListeners.size === 0) {
    clockNow = Date.now();
    clockTimer = setInterval(() => {
      clockNow = Date.now();
      for (const l of clockListeners) l();
    }, 30_000);
  }
  clockListeners.add(onChange);
  return () => {
    clockListeners.delete(onChange);
    if (clockListeners.size === 0) clearInterval(clockTimer);
  };
}
const useNow = () =>
  useSyncExternalStore(
    subscribeClock,
    () => clockNow,
    () => 0,
  );

const DIVISIONS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Infinity],
];

export function relativeTime(iso: string, locale: string, now = Date.now()): string {
  let amount = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of DIVISIONS) {
    if (Math.abs(amount) < size) return rtf.format(Math.round(amount), unit);
    amount /= size;
  }
  return "";
}

const tag = (locale: string) => (locale === "zh" ? "zh-CN" : "en");

export function formatDateTime(iso: string | Date, locale: string): string {
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** "3 minutes ago", the full date on hover */
export function RelativeTime({ iso, testId }: { iso: string; testId?: string }) {
  const { locale, t } = useI18n();
  const now = useNow();
  const hydrated = now > 0;
  const text = hydrated
    ? Math.abs(now - new Date(iso).getTime()) < 45_000
      ? t("common.justNow")
      : relativeTime(iso, tag(locale), now)
    : "";
  return (
    <time dateTime={iso} title={hydrated ? formatDateTime(iso, locale) : undefined} data-testid={testId}>
      {text}
    </time>
  );
}

/** a date and time; `dateOnly` shows the day, with the time on hover */
export function DateTime({ iso, testId, dateOnly = false }: { iso: string; testId?: string; dateOnly?: boolean }) {
  const { locale } = useI18n();
  const hydrated = useHydrated();
  const text = hydrated
    ? dateOnly
      ? new Intl.DateTimeFormat(tag(locale), { dateStyle: "medium" }).format(new Date(iso))
      : formatDateTime(iso, locale)
    : "";
  return (
    <time dateTime={iso} data-testid={testId} title={hydrated && dateOnly ? formatDateTime(iso, locale) : undefined}>
      {text}
    </time>
  );
}
