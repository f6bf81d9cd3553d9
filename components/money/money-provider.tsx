"use client";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import { formatQuota, quotaToInput, unitSymbol, type QuotaDisplay } from "@/lib/quota/money";

// The admin's display unit (USD, CNY through the exchange rate, or raw quota) for client
// components. The formatting itself is lib/quota/money.ts, the one module every page uses.

const DisplayContext = createContext<QuotaDisplay | null>(null);

export function MoneyProvider({ display, children }: { display: QuotaDisplay; children: ReactNode }) {
  return <DisplayContext.Provider value={display}>{children}</DisplayContext.Provider>;
}

const toBig = (q: string | bigint) => (typeof q === "bigint" ? q : BigInt(q));

export function useMoney() {
  const display = useContext(DisplayContext);
  if (!display) throw new Error("useMoney() outside <MoneyProvider>");
  const t = useT();
  return useMemo(() => {
    const tokens = t("common.tokens");
    return {
      display,
      /** "$1.25" / "¥9.13" / "1,250,000 tokens" */
      format: (q: string | bigint, digits = 6) => formatQuota(toBig(q), display, digits, tokens),
      /** the text an amount field is pre-filled with */
      toInput: (q: string | bigint) => quotaToInput(toBig(q), display),
      symbol: unitSymbol(display),
      /** the unit as words, for a field's hint */
      unitName: t(
        display.type === "USD" ? "money.unit.USD" : display.type === "CNY" ? "money.unit.CNY" : "money.unit.TOKENS",
      ),
    };
  }, [display, t]);
}

/** An amount in the display unit; the exact quota is one hover away. */
export function Money({
  quota,
  digits,
  className,
  testId,
}: {
  quota: string | bigint;
  digits?: number;
  className?: string;
  testId?: string;
}) {
  const money = useMoney();
  const t = useT();
  const raw = toBig(quota);
  return (
    <span
      className={cn("tabular-nums", className)}
      title={t("common.rawQuota", { quota: raw.toLocaleString("en-US") })}
      data-testid={testId}
      data-quota={raw.toString()}
    >
      {money.format(raw, digits)}
    </span>
  );
}
