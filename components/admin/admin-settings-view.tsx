"use client";
import { useMutation } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { ActionFailure, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import type { MessageKey } from "@/lib/i18n";
import { saveOptionsAction } from "@/lib/options/actions";
import { SETTINGS_SECTIONS, type SettingsKey, type SettingsSection } from "@/lib/options/form";
import type { Options } from "@/lib/options/schemas";
import { PricingPreview } from "./pricing-preview";

type Texts = Record<SettingsKey, string>;
type Flags = Pick<Options, "SelfUseModeEnabled" | "EnableFreeModelPreConsume">;

const SWITCHES = new Set<SettingsKey>([
  "RegisterEnabled",
  "ChannelPrivateAddressesAllowed",
  "NotifyAllowPrivateTargets",
]);
const JSON_KEYS = new Set<SettingsKey>(SETTINGS_SECTIONS.pricing);
const NUMBERS = new Set<SettingsKey>([...SETTINGS_SECTIONS.quota, "TrustQuota", "USDExchangeRate"]);
const HINTS: Partial<Record<SettingsKey, MessageKey>> = {
  ServerAddress: "sysSettings.hint.ServerAddress",
  TopUpLink: "sysSettings.hint.TopUpLink",
  NotifyEmailFrom: "sysSettings.hint.NotifyEmailFrom",
  StatsTimeZone: "sysSettings.hint.StatsTimeZone",
  ChannelPrivateAddressesAllowed: "sysSettings.hint.ChannelPrivateAddressesAllowed",
  CacheRatio: "sysSettings.hint.CacheRatio",
  CacheWriteRatio: "sysSettings.hint.CacheWriteRatio",
  CacheWrite1hRatio: "sysSettings.hint.CacheWrite1hRatio",
  ToolCallPrice: "sysSettings.hint.ToolCallPrice",
};
const CHOICES: Partial<Record<SettingsKey, { value: string; label: MessageKey }[]>> = {
  PreConsumeMode: [
    { value: "trust", label: "sysSettings.opt.PreConsumeMode.trust" },
    { value: "always", label: "sysSettings.opt.PreConsumeMode.always" },
  ],
  QuotaDisplayType: [
    { value: "USD", label: "sysSettings.display.USD" },
    { value: "CNY", label: "sysSettings.display.CNY" },
    { value: "TOKENS", label: "sysSettings.display.TOKENS" },
  ],
};

/** The admin's system settings: one card per section, each saved on its own (all of its fields or none). */
export function AdminSettingsView({ initial, flags }: { initial: Texts; flags: Flags }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState<Texts>(initial);
  const [texts, setTexts] = useState<Texts>(initial);
  const set = (k: SettingsKey, v: string) => setTexts((x) => ({ ...x, [k]: v }));
  const section = (s: SettingsSection, body: ReactNode, extra?: ReactNode) => (
    <SectionCard
      key={s}
      section={s}
      texts={texts}
      saved={saved}
      onSaved={(values) => setSaved((x) => ({ ...x, ...values }))}
      onReset={() => setTexts((x) => ({ ...x, ...pick(saved, SETTINGS_SECTIONS[s]) }))}
      set={set}
      description={body}
      extra={extra}
    />
  );
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("sysSettings.title")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">{t("sysSettings.subtitle")}</p>
      </div>
      {section(
        "quota",
        t("sysSettings.section.quota.body", { perUnit: Number(saved.QuotaPerUnit).toLocaleString("en-US") }),
      )}
      {section("billing", t("sysSettings.section.billing.body"))}
      {section(
        "pricing",
        t("sysSettings.section.pricing.body"),
        <PricingPreview texts={texts} quotaPerUnit={Number(texts.QuotaPerUnit)} flags={flags} />,
      )}
      {section("display", t("sysSettings.section.display.body"))}
      {section("network", t("sysSettings.section.network.body"))}
    </div>
  );
}

const pick = (texts: Texts, keys: readonly SettingsKey[]) =>
  Object.fromEntries(keys.map((k) => [k, texts[k]])) as Partial<Texts>;

function SectionCard({
  section,
  texts,
  saved,
  onSaved,
  onReset,
  set,
  description,
  extra,
}: {
  section: SettingsSection;
  texts: Texts;
  saved: Texts;
  onSaved: (values: Partial<Texts>) => void;
  onReset: () => void;
  set: (k: SettingsKey, v: string) => void;
  description: ReactNode;
  extra?: ReactNode;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const keys = SETTINGS_SECTIONS[section] as readonly SettingsKey[];
  const dirty = keys.some((k) => texts[k] !== saved[k]);
  const mutation = useMutation({
    mutationFn: (values: Partial<Texts>) => unwrap(saveOptionsAction({ values: values as Record<string, string> })),
    onSuccess: (_r, values) => {
      onSaved(values);
      toast.success(t("sysSettings.saved"));
      router.refresh(); // the display unit and the shell read the options on the server
    },
  });
  const errors =
    mutation.error instanceof ActionFailure
      ? (mutation.error.error.fieldErrors ?? {})
      : ({} as Record<string, string[]>);
  const formError =
    mutation.error && !keys.some((k) => errors[k])
      ? mutation.error instanceof ActionFailure
        ? mutation.error.error.message
        : t("error.internal")
      : null;
  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(pick(texts, keys));
  }
  const busy = mutation.isPending;
  return (
    <Card data-testid={`settings-${section}`}>
      <form onSubmit={submit} noValidate>
        <CardHeader className="pb-0 sm:pb-0">
          <div>
            <CardTitle>{t(`sysSettings.section.${section}`)}</CardTitle>
            <CardDescription>{description}</CardDescription>
          </div>
        </CardHeader>
        <div className="space-y-4 p-5 sm:p-6">
          {formError ? <Alert tone="error">{formError}</Alert> : null}
          <div className={section === "pricing" ? "grid gap-4 lg:grid-cols-2" : "grid gap-4 sm:grid-cols-2"}>
            {keys.map((k) => (
              <OptionField key={k} k={k} value={texts[k]} onChange={(v) => set(k, v)} errors={errors[k]} />
            ))}
          </div>
          {extra}
        </div>
        <div className="flex items-center justify-end gap-3 border-t border-zinc-200 px-5 py-3 sm:px-6 dark:border-zinc-800">
          {dirty ? (
            <span className="mr-auto text-xs text-amber-700 dark:text-amber-300">{t("sysSettings.unsaved")}</span>
          ) : null}
          {dirty ? (
            <Button variant="ghost" size="sm" onClick={onReset} disabled={busy}>
              {t("sysSettings.reset")}
            </Button>
          ) : null}
          <Button type="submit" size="sm" disabled={busy || !dirty} aria-busy={busy || undefined}>
            {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
            {busy ? t("sysSettings.saving") : t("sysSettings.save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function OptionField({
  k,
  value,
  onChange,
  errors,
}: {
  k: SettingsKey;
  value: string;
  onChange: (v: string) => void;
  errors?: string[];
}) {
  const { t } = useI18n();
  const label = t(`sysSettings.opt.${k}` as MessageKey);
  const hint = HINTS[k] ? t(HINTS[k]) : undefined;
  const error = errors?.join(" · ");
  if (SWITCHES.has(k)) {
    return (
      <div className="space-y-1.5 sm:col-span-2">
        <label className="flex items-start justify-between gap-4 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
          <span>
            <span className="block text-sm font-medium">{label}</span>
            {hint ? <span className="block text-xs text-zinc-500 dark:text-zinc-400">{hint}</span> : null}
          </span>
          <Switch checked={value === "true"} onCheckedChange={(v) => onChange(String(v))} aria-label={label} />
        </label>
        {error ? <p className="text-sm text-red-600 dark:text-red-400">{error}</p> : null}
      </div>
    );
  }
  const choices = CHOICES[k];
  return (
    <FormField label={label} hint={hint} error={error} className={JSON_KEYS.has(k) ? "min-w-0" : undefined}>
      {(c) =>
        choices ? (
          <Select value={value} onValueChange={onChange}>
            <SelectTrigger {...c}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {choices.map((o) => (
                <SelectItem key={o.value} value={o.value}>
                  {t(o.label)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        ) : JSON_KEYS.has(k) ? (
          <Textarea
            {...c}
            name={k}
            rows={Math.min(14, Math.max(4, value.split("\n").length))}
            spellCheck={false}
            className="font-mono text-xs sm:text-xs"
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <Input
            {...c}
            name={k}
            inputMode={NUMBERS.has(k) ? "decimal" : undefined}
            spellCheck={false}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </FormField>
  );
}
