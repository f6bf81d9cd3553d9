"use client";
import { ChevronDown, Search, X } from "lucide-react";
import { useMemo, useState } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Checkbox } from "@/components/ui/checkbox";
import { cn } from "@/components/ui/cn";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { ControlProps } from "@/components/ui/field";

/**
 * Picks a key's model allow-list from the models its group reaches. Models already on the list
 * that the group no longer serves stay listed (and removable). None picked = every model.
 */
export function ModelPicker({
  value,
  onChange,
  available,
  control,
}: {
  value: string[];
  onChange: (v: string[]) => void;
  available: string[];
  control: ControlProps;
}) {
  const t = useT();
  const [query, setQuery] = useState("");
  const options = useMemo(() => [...new Set([...available, ...value])].sort(), [available, value]);
  const shown = options.filter((m) => m.toLowerCase().includes(query.trim().toLowerCase()));
  const toggle = (m: string) => onChange(value.includes(m) ? value.filter((x) => x !== m) : [...value, m]);
  return (
    <div className="space-y-2">
      <Popover>
        <PopoverTrigger
          {...control}
          className={cn(
            "flex h-10 w-full items-center justify-between gap-2 rounded-lg border border-zinc-300 bg-white px-3 text-left text-base shadow-sm sm:text-sm",
            "focus:outline-none focus:ring-2 focus:ring-indigo-500/30 aria-invalid:border-red-400 dark:border-zinc-700 dark:bg-zinc-900",
          )}
        >
          <span className={cn("truncate", value.length === 0 && "text-zinc-500 dark:text-zinc-400")}>
            {value.length === 0 ? t("keys.form.modelsAll") : t("keys.form.modelsSelected", { count: value.length })}
          </span>
          <ChevronDown aria-hidden className="h-4 w-4 shrink-0 opacity-60" />
        </PopoverTrigger>
        <PopoverContent className="p-0">
          <div className="flex items-center gap-2 border-b border-zinc-100 px-3 dark:border-zinc-800">
            <Search aria-hidden className="h-4 w-4 text-zinc-400" />
            <input
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder={t("keys.form.modelsSearch")}
              aria-label={t("keys.form.modelsSearch")}
              className="h-10 w-full bg-transparent text-sm outline-none placeholder:text-zinc-400"
            />
          </div>
          <ul className="max-h-64 overflow-y-auto p-1" aria-label={t("keys.form.modelsPick")}>
            {shown.length === 0 ? (
              <li className="px-3 py-6 text-center text-sm text-zinc-500">{t("keys.form.modelsNone")}</li>
            ) : null}
            {shown.map((m) => (
              <li key={m}>
                <label className="flex cursor-pointer items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800">
                  <Checkbox checked={value.includes(m)} onCheckedChange={() => toggle(m)} />
                  <span className="truncate font-mono text-xs">{m}</span>
                </label>
              </li>
            ))}
          </ul>
          {value.length > 0 ? (
            <div className="border-t border-zinc-100 p-1 dark:border-zinc-800">
              <button
                type="button"
                onClick={() => onChange([])}
                className="w-full rounded-lg px-2.5 py-2 text-left text-sm text-indigo-600 hover:bg-zinc-100 dark:text-indigo-400 dark:hover:bg-zinc-800"
              >
                {t("keys.form.modelsClear")}
              </button>
            </div>
          ) : null}
        </PopoverContent>
      </Popover>
      {value.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" data-testid="picked-models">
          {value.map((m) => (
            <li
              key={m}
              className="inline-flex items-center gap-1 rounded-md bg-zinc-100 py-0.5 pl-2 pr-1 font-mono text-xs dark:bg-zinc-800"
            >
              {m}
              <button
                type="button"
                onClick={() => toggle(m)}
                aria-label={`${t("common.delete")} ${m}`}
                className="rounded p-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-700"
              >
                <X aria-hidden className="h-3 w-3" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
