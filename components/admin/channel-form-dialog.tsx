"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ActionFailure, failureFieldErrors, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
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
import { Input, Textarea } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { createChannelAction, updateChannelAction } from "@/lib/channels/actions";
import type { ChannelDto } from "@/lib/channels/queries";
import { channelKeys } from "@/lib/channels/query-keys";
import { DIALECTS, type Dialect } from "@/lib/channels/schemas";

type FormState = {
  name: string;
  baseUrl: string;
  key: string;
  models: string;
  groups: string;
  priority: string;
  weight: string;
  modelMapping: string;
  dialect: Dialect;
};

function initialState(c: ChannelDto | null): FormState {
  if (!c) {
    return {
      name: "",
      baseUrl: "",
      key: "",
      models: "",
      groups: "default",
      priority: "0",
      weight: "1",
      modelMapping: "",
      dialect: "openai",
    };
  }
  return {
    name: c.name,
    baseUrl: c.baseUrl,
    key: "",
    models: c.models.join(", "),
    groups: c.groups.join(", "),
    priority: String(c.priority),
    weight: String(c.weight),
    modelMapping: Object.keys(c.modelMapping).length ? JSON.stringify(c.modelMapping, null, 2) : "",
    dialect: c.dialect,
  };
}

const FIELDS = ["name", "baseUrl", "key", "models", "groups", "priority", "weight", "modelMapping", "dialect"] as const;

/** Add or edit a channel. The key is write-only: an edit shows it masked and keeps it unless a new one is typed. */
export function ChannelFormDialog({
  open,
  onOpenChange,
  editing,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  editing: ChannelDto | null;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-2xl" data-testid="channel-form">
        {open ? <ChannelForm editing={editing} onDone={() => onOpenChange(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function ChannelForm({ editing, onDone }: { editing: ChannelDto | null; onDone: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => initialState(editing));
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const mutation = useMutation({
    mutationFn: async (f: FormState) => {
      const common = {
        name: f.name,
        baseUrl: f.baseUrl,
        models: f.models,
        groups: f.groups,
        priority: f.priority.trim() === "" ? Number.NaN : Number(f.priority),
        weight: f.weight.trim() === "" ? Number.NaN : Number(f.weight),
        modelMapping: f.modelMapping,
        dialect: f.dialect,
      };
      if (editing) return unwrap(updateChannelAction({ ...common, id: editing.id, ...(f.key ? { key: f.key } : {}) }));
      return unwrap(createChannelAction({ ...common, key: f.key }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: channelKeys.all });
      toast.success(editing ? t("channels.toast.updated") : t("channels.toast.created"));
      onDone();
    },
  });

  const errors = failureFieldErrors(mutation.error);
  const formError =
    mutation.error && !FIELDS.some((f) => errors[f])
      ? mutation.error instanceof ActionFailure
        ? mutation.error.error.message
        : t("error.internal")
      : null;
  const busy = mutation.isPending;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(form);
  }

  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-1 flex-col">
      <DialogHeader>
        <DialogTitle>
          {editing ? t("channels.form.editTitle", { name: editing.name }) : t("channels.form.createTitle")}
        </DialogTitle>
        <DialogDescription>{t("channels.form.body")}</DialogDescription>
      </DialogHeader>
      <DialogBody className="space-y-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.channelName")} error={errors.name}>
            {(c) => <Input {...c} value={form.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" />}
          </FormField>
          <FormField label={t("field.baseUrl")} error={errors.baseUrl}>
            {(c) => (
              <Input
                {...c}
                type="url"
                inputMode="url"
                placeholder="https://api.openai.com/v1"
                value={form.baseUrl}
                onChange={(e) => set("baseUrl", e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </FormField>
        </div>
        <FormField label={t("field.dialect")} error={errors.dialect} hint={t("channels.form.dialectHint")}>
          {(c) => (
            <Select value={form.dialect} onValueChange={(v) => set("dialect", v as Dialect)}>
              <SelectTrigger {...c} data-testid="channel-dialect">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {DIALECTS.map((d) => (
                  <SelectItem key={d} value={d}>
                    {t(`channels.dialect.${d}`)}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </FormField>
        <FormField
          label={t("field.key")}
          error={errors.key}
          hint={editing ? t("channels.form.keyKeep", { masked: editing.maskedKey }) : t("channels.form.keyHint")}
        >
          {(c) => (
            <Input
              {...c}
              type="password"
              autoComplete="new-password"
              placeholder={editing ? editing.maskedKey : "sk-…"}
              value={form.key}
              onChange={(e) => set("key", e.target.value)}
            />
          )}
        </FormField>
        <FormField label={t("field.models")} error={errors.models} hint={t("channels.form.modelsHint")}>
          {(c) => (
            <Textarea
              {...c}
              rows={2}
              spellCheck={false}
              className="font-mono"
              placeholder="gpt-4o, gpt-4o-mini"
              value={form.models}
              onChange={(e) => set("models", e.target.value)}
            />
          )}
        </FormField>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_7rem_7rem]">
          <FormField label={t("field.groups")} error={errors.groups} hint={t("channels.form.groupsHint")}>
            {(c) => (
              <Input
                {...c}
                spellCheck={false}
                value={form.groups}
                onChange={(e) => set("groups", e.target.value)}
                autoComplete="off"
              />
            )}
          </FormField>
          <FormField label={t("field.priority")} error={errors.priority}>
            {(c) => (
              <Input
                {...c}
                type="number"
                inputMode="numeric"
                value={form.priority}
                onChange={(e) => set("priority", e.target.value)}
              />
            )}
          </FormField>
          <FormField label={t("field.weight")} error={errors.weight}>
            {(c) => (
              <Input
                {...c}
                type="number"
                inputMode="numeric"
                min={0}
                value={form.weight}
                onChange={(e) => set("weight", e.target.value)}
              />
            )}
          </FormField>
        </div>
        <p className="-mt-2 text-xs text-zinc-500 dark:text-zinc-400">{t("channels.form.priorityHint")}</p>
        <FormField label={t("field.modelMapping")} error={errors.modelMapping} hint={t("channels.form.mappingHint")}>
          {(c) => (
            <Textarea
              {...c}
              rows={3}
              spellCheck={false}
              className="font-mono"
              placeholder={'{"gpt-4o": "gpt-4o-2024-08-06"}'}
              value={form.modelMapping}
              onChange={(e) => set("modelMapping", e.target.value)}
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
          {busy ? t("channels.form.saving") : editing ? t("channels.form.save") : t("channels.form.create")}
        </Button>
      </DialogFooter>
    </form>
  );
}
