"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Download, Loader2, TriangleAlert } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ActionFailure, failureFieldErrors, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useMoney } from "@/components/money/money-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
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
import { AmountInput, Input } from "@/components/ui/input";
import { createRedemptionBatchAction } from "@/lib/redemption/actions";
import { redemptionKeys } from "@/lib/redemption/query-keys";

export type CreatedBatch = { codes: string[]; name: string; quota: string };

/** The batch form: name, how many, the amount per code in the display unit, an optional expiry. */
export function RedemptionBatchDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (batch: CreatedBatch) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg" data-testid="redemption-form">
        {open ? <BatchForm onDone={() => onOpenChange(false)} onCreated={onCreated} /> : null}
      </DialogContent>
    </Dialog>
  );
}

const FIELDS = ["name", "count", "amount", "expiresAt"];

function BatchForm({ onDone, onCreated }: { onDone: () => void; onCreated: (b: CreatedBatch) => void }) {
  const { t } = useI18n();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: "", count: "10", amount: "", expires: "" });
  const set = (k: keyof typeof form, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const mutation = useMutation({
    mutationFn: (f: typeof form) => {
      const expires = f.expires ? Math.floor(new Date(f.expires).getTime() / 1000) : null;
      return unwrap(
        createRedemptionBatchAction({
          name: f.name,
          count: f.count,
          amount: f.amount,
          expiresAt: Number.isFinite(expires) ? expires : null,
        }),
      );
    },
    onSuccess: (batch) => {
      void queryClient.invalidateQueries({ queryKey: redemptionKeys.all });
      toast.success(t("redemptions.toast.created", { count: batch.codes.length }));
      onDone();
      onCreated(batch);
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
        <DialogTitle>{t("redemptions.form.title")}</DialogTitle>
        <DialogDescription>{t("redemptions.form.body")}</DialogDescription>
      </DialogHeader>
      <DialogBody className="space-y-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_8rem]">
          <FormField label={t("field.name")} error={errors.name}>
            {(c) => (
              <Input
                {...c}
                maxLength={40}
                value={form.name}
                onChange={(e) => set("name", e.target.value)}
                autoComplete="off"
              />
            )}
          </FormField>
          <FormField label={t("redemptions.form.count")} error={errors.count} hint={t("redemptions.form.countHint")}>
            {(c) => (
              <Input
                {...c}
                type="number"
                inputMode="numeric"
                min={1}
                max={100}
                value={form.count}
                onChange={(e) => set("count", e.target.value)}
              />
            )}
          </FormField>
        </div>
        <FormField
          label={t("field.amount")}
          error={errors.amount}
          hint={t("redemptions.form.amountHint", { unit: money.unitName })}
        >
          {(c) => (
            <AmountInput
              {...c}
              symbol={money.symbol}
              value={form.amount}
              onChange={(e) => set("amount", e.target.value)}
            />
          )}
        </FormField>
        <FormField
          label={t("redemptions.form.expires")}
          error={errors.expiresAt}
          hint={t("redemptions.form.expiresHint")}
          labelAside={t("common.optional")}
        >
          {(c) => (
            <Input {...c} type="datetime-local" value={form.expires} onChange={(e) => set("expires", e.target.value)} />
          )}
        </FormField>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onClick={onDone} disabled={busy}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
          {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {busy ? t("redemptions.form.creating") : t("redemptions.form.submit")}
        </Button>
      </DialogFooter>
    </form>
  );
}

/** The one time a batch's codes are shown: copy them or download a text file, then close. */
export function RedemptionRevealDialog({ batch, onClose }: { batch: CreatedBatch | null; onClose: () => void }) {
  const { t } = useI18n();
  const money = useMoney();
  const all = (batch?.codes ?? []).join("\n");
  function download() {
    const blob = new Blob([`${all}\n`], { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `redemption-codes-${batch?.name ?? "batch"}.txt`;
    a.click();
    URL.revokeObjectURL(url);
  }
  return (
    <Dialog open={batch !== null} onOpenChange={(next) => (next ? undefined : onClose())}>
      <DialogContent
        hideClose
        className="sm:max-w-xl"
        onInteractOutside={(e) => e.preventDefault()}
        onEscapeKeyDown={(e) => e.preventDefault()}
        data-testid="redemption-reveal"
      >
        <DialogHeader>
          <DialogTitle>{t("redemptions.reveal.title", { count: batch?.codes.length ?? 0 })}</DialogTitle>
          <DialogDescription className="flex gap-2 rounded-lg bg-amber-50 p-3 text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
            <TriangleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
            <span>{t("redemptions.reveal.body", { amount: batch ? money.format(batch.quota) : "" })}</span>
          </DialogDescription>
        </DialogHeader>
        <DialogBody>
          <textarea
            readOnly
            value={all}
            rows={Math.min(10, Math.max(3, batch?.codes.length ?? 3))}
            aria-label={t("redemptions.col.code")}
            data-testid="revealed-codes"
            onFocus={(e) => e.currentTarget.select()}
            className="w-full rounded-lg border border-zinc-200 bg-zinc-50 p-3 font-mono text-xs text-zinc-800 sm:text-sm dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200"
          />
        </DialogBody>
        <DialogFooter>
          <CopyButton value={all} label={t("redemptions.reveal.copyAll")} showText />
          <Button variant="secondary" onClick={download}>
            <Download aria-hidden />
            {t("redemptions.reveal.download")}
          </Button>
          <Button onClick={onClose}>{t("redemptions.reveal.done")}</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
