"use client";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { format, type Locale, type MessageKey, type Messages, type Translator, type Vars } from "@/lib/i18n";

type I18n = { locale: Locale; t: Translator };

const I18nContext = createContext<I18n | null>(null);

/** Gives client components the locale and the dictionary the server chose for this request. */
export function I18nProvider({
  locale,
  messages,
  children,
}: {
  locale: Locale;
  messages: Messages;
  children: ReactNode;
}) {
  const value = useMemo<I18n>(
    () => ({ locale, t: (key: MessageKey, vars?: Vars) => format(messages[key] ?? key, vars) }),
    [locale, messages],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n() outside <I18nProvider>");
  return value;
}

export const useT = (): Translator => useI18n().t;
