"use client";
import { useId } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { CopyButton } from "@/components/ui/copy-button";

/** A read-only value with the kit's copy button; focusing the field selects it for a manual copy. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const t = useT();
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-xs font-medium text-zinc-500 dark:text-zinc-400">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
          className="h-9 min-w-0 flex-1 rounded-lg border border-zinc-200 bg-zinc-50 px-3 font-mono text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200"
        />
        <CopyButton value={value} label={t("common.copy")} showText />
      </div>
    </div>
  );
}
