"use client";
import { useMemo, useState } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useMoney } from "@/components/money/money-provider";
import { FormField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { Options } from "@/lib/options/schemas";
import { formatQuota } from "@/lib/quota/money";
import { computeQuota, resolvePricing } from "@/lib/quota/pricing";

type Maps = Pick<
  Options,
  | "ModelRatio"
  | "CompletionRatio"
  | "ModelPrice"
  | "CacheRatio"
  | "CacheWriteRatio"
  | "CacheWrite1hRatio"
  | "ToolCallPrice"
  | "GroupRatio"
  | "GroupGroupRatio"
>;
const MAP_KEYS = [
  "ModelRatio",
  "CompletionRatio",
  "ModelPrice",
  "CacheRatio",
  "CacheWriteRatio",
  "CacheWrite1hRatio",
  "ToolCallPrice",
  "GroupRatio",
  "GroupGroupRatio",
] as const;

const MILLION = 1_000_000;

/**
 * What 1M input + 1M output tokens of a model cost a user of one group with a key of another,
 * priced by the billing core's own functions (lib/quota/pricing) from the editors' unsaved text.
 */
export function PricingPreview({
  texts,
  quotaPerUnit,
  flags,
}: {
  texts: Record<(typeof MAP_KEYS)[number], string>;
  quotaPerUnit: number;
  flags: Pick<Options, "SelfUseModeEnabled" | "EnableFreeModelPreConsume">;
}) {
  const { t } = useI18n();
  const money = useMoney();
  const maps = useMemo(() => {
    const out: Partial<Maps> = {};
    for (const k of MAP_KEYS) {
      try {
        const v = JSON.parse(texts[k]) as unknown;
        if (!v || typeof v !== "object" || Array.isArray(v)) return null;
        (out as Record<string, unknown>)[k] = v;
      } catch {
        return null;
      }
    }
    return out as Maps;
  }, [texts]);
  const models = useMemo(
    () => (maps ? [...new Set([...Object.keys(maps.ModelRatio), ...Object.keys(maps.ModelPrice)])].sort() : []),
    [maps],
  );
  const groups = maps ? Object.keys(maps.GroupRatio).sort() : [];
  const [model, setModel] = useState(() => (models.includes("gpt-4o") ? "gpt-4o" : (models[0] ?? "")));
  const [userGroup, setUserGroup] = useState("default");
  const [keyGroup, setKeyGroup] = useState("default");

  let result: { text: string; ratios: string | null; tone: "ok" | "error" } = {
    text: t("sysSettings.preview.invalid"),
    ratios: null,
    tone: "error",
  };
  if (maps && Number.isFinite(quotaPerUnit) && quotaPerUnit > 0) {
    try {
      const p = resolvePricing(
        { ...maps, ...flags, QuotaPerUnit: quotaPerUnit },
        { model, userGroup, usingGroup: keyGroup },
      );
      const quota = computeQuota(p, { promptTokens: MILLION, completionTokens: MILLION });
      const vars = {
        model,
        userGroup,
        keyGroup,
        quota: quota.toLocaleString("en-US"),
        // at the edited QuotaPerUnit; in dollars when the site shows raw quota
        amount: formatQuota(quota, {
          ...money.display,
          type: money.display.type === "TOKENS" ? "USD" : money.display.type,
          quotaPerUnit,
        }),
      };
      result = {
        text: t(p.mode === "price" ? "sysSettings.preview.perCall" : "sysSettings.preview.result", vars),
        ratios:
          p.mode === "ratio"
            ? t("sysSettings.preview.ratios", {
                model: p.modelRatio,
                completion: p.completionRatio,
                group: p.groupRatio,
              })
            : null,
        tone: "ok",
      };
    } catch (e) {
      result = { text: t("sysSettings.preview.error", { message: (e as Error).message }), ratios: null, tone: "error" };
    }
  }

  return (
    <div
      className="space-y-4 rounded-xl border border-indigo-200 bg-indigo-50/50 p-4 dark:border-indigo-500/30 dark:bg-indigo-500/5"
      data-testid="pricing-preview"
    >
      <div>
        <h3 className="text-sm font-semibold">{t("sysSettings.preview.title")}</h3>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">{t("sysSettings.preview.body")}</p>
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        <FormField label={t("sysSettings.preview.model")}>
          {(c) => (
            <>
              <Input
                {...c}
                list="preview-models"
                value={model}
                onChange={(e) => setModel(e.target.value)}
                spellCheck={false}
              />
              <datalist id="preview-models">
                {models.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </>
          )}
        </FormField>
        <GroupSelect
          label={t("sysSettings.preview.userGroup")}
          value={userGroup}
          onChange={setUserGroup}
          groups={groups}
        />
        <GroupSelect
          label={t("sysSettings.preview.keyGroup")}
          value={keyGroup}
          onChange={setKeyGroup}
          groups={groups}
        />
      </div>
      <p
        className={result.tone === "ok" ? "text-sm font-medium" : "text-sm text-red-700 dark:text-red-300"}
        data-testid="pricing-preview-result"
        aria-live="polite"
      >
        {result.text}
      </p>
      {result.ratios ? <p className="text-xs text-zinc-600 dark:text-zinc-400">{result.ratios}</p> : null}
    </div>
  );
}

function GroupSelect({
  label,
  value,
  onChange,
  groups,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  groups: string[];
}) {
  const all = groups.includes(value) ? groups : [value, ...groups];
  return (
    <FormField label={label}>
      {(c) => (
        <Select value={value} onValueChange={onChange}>
          <SelectTrigger {...c}>
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {all.map((g) => (
              <SelectItem key={g} value={g}>
                {g}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      )}
    </FormField>
  );
}
