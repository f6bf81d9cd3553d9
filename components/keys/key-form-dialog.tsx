"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ActionFailure, failureFieldErrors, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useMoney } from "@/components/money/money-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { FormField } from "@/components/ui/field";
import { AmountInput, Input, Textarea } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { formatDateTime } from "@/components/ui/time";
import { createKeysAction, updateKeyAction } from "@/lib/keys/actions";
import type { ExpiryChoice } from "@/lib/keys/expiry";
import type { KeyDTO, KeyFormOptionsDTO } from "@/lib/keys/queries";
import { keyKeys } from "@/lib/keys/query-keys";
import type { CreatedKey } from "@/lib/keys/service";
import { ModelPicker } from "./model-picker";

/** Radix Select items cannot have "" as a value: this stands for "the user's own group" */
const OWN_GROUP = "__own__";

type FormState = {
  name: string;
  count: string;
  expiry: ExpiryChoice;
  customDate: string;
  unlimitedQuota: boolean;
  remainAmount: string;
  group: string;
  crossGroupRetry: boolean;
  modelLimits: string[];
  allowIps: string;
};

/** "2026-12-01T09:30" in the browser's zone, for <input type="datetime-local"> */
function toLocalInput(sec: number): string {
  const d = new Date(sec * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function initialState(key: KeyDTO | null, toInput: (q: string) => string): FormState {
  if (!key) {
    return {
      name: "",
      count: "1",
      expiry: "never",
      customDate: "",
      unlimitedQuota: true,
      remainAmount: "",
      group: "",
      crossGroupRetry: false,
      modelLimits: [],
      allowIps: "",
    };
  }
  return {
    name: key.name,
    count: "1",
    expiry: key.expiredTime === -1 ? "never" : "keep",
    customDate: key.expiredTime === -1 ? "" : toLocalInput(key.expiredTime),
    unlimitedQuota: key.unlimitedQuota,
    remainAmount: toInput(key.remainQuota),
    group: key.group,
    crossGroupRetry: key.crossGroupRetry,
    modelLimits: key.modelLimits,
    allowIps: key.allowIps,
  };
}

/**
 * Create (one or N keys) and edit, with every field of a key. Validation is the server's: its
 * field errors show next to each field and the input stays as typed.
 */
export function KeyFormDialog({
  open,
  onOpenChange,
  editing,
  options,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** the key being edited, or null to create */
  editing: KeyDTO | null;
  options: KeyFormOptionsDTO;
  onCreated: (keys: CreatedKey[]) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl" data-testid="key-form">
        {/* remounted per open, so the form starts from the key (or empty) each time */}
        {open ? (
          <KeyForm editing={editing} options={options} onDone={() => onOpenChange(false)} onCreated={onCreated} />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

function KeyForm({
  editing,
  options,
  onDone,
  onCreated,
}: {
  editing: KeyDTO | null;
  options: KeyFormOptionsDTO;
  onDone: () => void;
  onCreated: (keys: CreatedKey[]) => void;
}) {
  const { t, locale } = useI18n();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => initialState(editing, money.toInput));
  const [remainDirty, setRemainDirty] = useState(false);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const mutation = useMutation({
    mutationFn: async (f: FormState) => {
      const expiresAt =
        f.expiry === "custom" && f.customDate ? Math.floor(new Date(f.customDate).getTime() / 1000) : undefined;
      const common = {
        name: f.name,
        unlimitedQuota: f.unlimitedQuota,
        expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined,
        modelLimits: f.modelLimits,
        allowIps: f.allowIps,
        group: f.group,
        crossGroupRetry: f.crossGroupRetry,
      };
      if (editing) {
        // a budget left untouched is not sent: requests may have spent from it since the dialog opened
        const sendRemain = !f.unlimitedQuota && (remainDirty || editing.unlimitedQuota);
        const updated = await unwrap(
          updateKeyAction({
            ...common,
            id: editing.id,
            expiry: f.expiry,
            ...(sendRemain ? { remainAmount: f.remainAmount } : {}),
          }),
        );
        return { kind: "updated" as const, updated };
      }
      const created = await unwrap(
        createKeysAction({
          ...common,
          expiry: f.expiry === "keep" ? "never" : f.expiry,
          count: f.count.trim() === "" ? Number.NaN : Number(f.count),
          ...(f.unlimitedQuota ? {} : { remainAmount: f.remainAmount }),
        }),
      );
      return { kind: "created" as const, created };
    },
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: keyKeys.list() });
      onDone();
      if (r.kind === "created") {
        toast.success(
          r.created.length > 1 ? t("keys.toast.createdMany", { count: r.created.length }) : t("keys.toast.created"),
        );
        onCreated(r.created);
      } else {
        toast.success(t("keys.toast.updated"));
      }
    },
  });

  const errors = failureFieldErrors(mutation.error);
  const shownFields = [
    "name",
    "count",
    "expiry",
    "expiresAt",
    "unlimitedQuota",
    "remainAmount",
    "group",
    "crossGroupRetry",
    "modelLimits",
    "allowIps",
  ];
  const formError =
    mutation.error && !shownFields.some((f) => errors[f])
      ? mutation.error instanceof ActionFailure
        ? mutation.error.error.message
        : t("error.internal")
      : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(form);
  }

  const groupForModels = form.group || options.userGroup;
  const available = options.modelsByGroup[groupForModels] ?? [];
  const busy = mutation.isPending;
  const expiryChoices: ExpiryChoice[] =
    editing && editing.expiredTime !== -1
      ? ["keep", "never", "1h", "1d", "30d", "custom"]
      : ["never", "1h", "1d", "30d", "custom"];
  const expiryLabel = (c: ExpiryChoice) =>
    c === "keep" && editing
      ? t("keys.form.expiry.keep", { date: formatDateTime(new Date(editing.expiredTime * 1000), locale) })
      : t(`keys.form.expiry.${c as Exclude<ExpiryChoice, "keep">}`);

  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-1 flex-col">
      <DialogHeader>
        <DialogTitle>
          {editing ? t("keys.form.editTitle", { name: editing.name }) : t("keys.form.createTitle")}
        </DialogTitle>
        <DialogDescription>{editing ? t("keys.form.editBody") : t("keys.form.createBody")}</DialogDescription>
      </DialogHeader>
      <DialogBody className="space-y-5">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_9rem]">
          <FormField label={t("field.name")} error={errors.name} className={editing ? "sm:col-span-2" : undefined}>
            {(c) => (
              <Input
                {...c}
                name="name"
                value={form.name}
                onChange={(e) => set("name", e.target.value)}
                placeholder={t("keys.form.namePlaceholder")}
                autoComplete="off"
              />
            )}
          </FormField>
          {editing ? null : (
            <FormField label={t("field.count")} error={errors.count}>
              {(c) => (
                <Input
                  {...c}
                  name="count"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={100}
                  value={form.count}
                  onChange={(e) => set("count", e.target.value)}
                />
              )}
            </FormField>
          )}
        </div>
        {editing ? null : <p className="-mt-3 text-xs text-zinc-500 dark:text-zinc-400">{t("keys.form.countHint")}</p>}

        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.expiry")} error={errors.expiry}>
            {(c) => (
              <Select value={form.expiry} onValueChange={(v) => set("expiry", v as ExpiryChoice)}>
                <SelectTrigger {...c}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {expiryChoices.map((choice) => (
                    <SelectItem key={choice} value={choice}>
                      {expiryLabel(choice)}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </FormField>
          {form.expiry === "custom" ? (
            <FormField label={t("field.expiresAt")} error={errors.expiresAt}>
              {(c) => (
                <Input
                  {...c}
                  type="datetime-local"
                  value={form.customDate}
                  onChange={(e) => set("customDate", e.target.value)}
                />
              )}
            </FormField>
          ) : errors.expiresAt ? (
            <p className="self-end text-sm text-red-600 dark:text-red-400">{errors.expiresAt}</p>
          ) : null}
        </div>

        <div className="space-y-3 rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
          <label className="flex items-start justify-between gap-4">
            <span>
              <span className="block text-sm font-medium">{t("field.unlimitedQuota")}</span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">{t("keys.form.unlimitedHint")}</span>
            </span>
            <Switch
              checked={form.unlimitedQuota}
              onCheckedChange={(v) => set("unlimitedQuota", v)}
              aria-label={t("field.unlimitedQuota")}
            />
          </label>
          {form.unlimitedQuota ? null : (
            <FormField
              label={t("field.remainAmount")}
              error={errors.remainAmount}
              hint={t("keys.form.remainHint", { unit: money.unitName })}
              labelAside={
                editing ? t("keys.form.remainCurrent", { amount: money.format(editing.remainQuota) }) : undefined
              }
            >
              {(c) => (
                <AmountInput
                  {...c}
                  symbol={money.symbol}
                  name="remainAmount"
                  value={form.remainAmount}
                  onChange={(e) => {
                    setRemainDirty(true);
                    set("remainAmount", e.target.value);
                  }}
                />
              )}
            </FormField>
          )}
        </div>

        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.group")} error={errors.group} hint={t("keys.form.groupHint")}>
            {(c) => (
              <Select value={form.group || OWN_GROUP} onValueChange={(v) => set("group", v === OWN_GROUP ? "" : v)}>
                <SelectTrigger {...c}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={OWN_GROUP}>
                    {t("keys.group.own")} ({options.userGroup})
                  </SelectItem>
                  {options.groups
                    .filter((g) => g.name !== options.userGroup)
                    .map((g) => (
                      <SelectItem key={g.name} value={g.name}>
                        {g.name}
                        {g.description && g.description !== g.name ? ` · ${g.description}` : ""}
                      </SelectItem>
                    ))}
                  {form.group && !options.groups.some((g) => g.name === form.group) ? (
                    <SelectItem value={form.group}>{form.group}</SelectItem>
                  ) : null}
                </SelectContent>
              </Select>
            )}
          </FormField>
          <label className="flex items-start justify-between gap-4 rounded-xl border border-zinc-200 p-3 sm:mt-6 sm:self-start dark:border-zinc-800">
            <span>
              <span className="block text-sm font-medium">{t("field.crossGroupRetry")}</span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                {t("keys.form.crossGroupRetryHint")}
              </span>
            </span>
            <Switch
              checked={form.crossGroupRetry}
              onCheckedChange={(v) => set("crossGroupRetry", v)}
              aria-label={t("field.crossGroupRetry")}
            />
          </label>
        </div>

        <FormField label={t("field.modelLimits")} error={errors.modelLimits} hint={t("keys.form.modelsHint")}>
          {(c) => (
            <ModelPicker
              control={c}
              value={form.modelLimits}
              onChange={(v) => set("modelLimits", v)}
              available={available}
            />
          )}
        </FormField>

        <FormField label={t("field.allowIps")} error={errors.allowIps} hint={t("keys.form.ipsHint")}>
          {(c) => (
            <Textarea
              {...c}
              name="allowIps"
              rows={3}
              spellCheck={false}
              className="font-mono"
              placeholder={t("keys.form.ipsPlaceholder")}
              value={form.allowIps}
              onChange={(e) => set("allowIps", e.target.value)}
            />
          )}
        </FormField>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onClick={onDone} disabled={busy}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
          {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {editing
            ? busy
              ? t("keys.form.saving")
              : t("keys.form.submitSave")
            : busy
              ? t("keys.form.creating")
              : t("keys.form.submitCreate")}
        </Button>
      </DialogFooter>
    </form>
  );
}
