"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, Loader2 } from "lucide-react";
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
import { AmountInput, Textarea } from "@/components/ui/input";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { overviewKeys } from "@/lib/overview/query-keys";
import { parseAmount } from "@/lib/quota/money";
import { MAX_QUOTA } from "@/lib/quota/schemas";
import { adjustUserQuotaAdminAction } from "@/lib/users/actions";
import type { AdminUserDTO } from "@/lib/users/admin-queries";
import { adminUserKeys } from "@/lib/users/query-keys";

type Mode = "add" | "subtract" | "set";
const MODES: Mode[] = ["add", "subtract", "set"];

/** Add to, subtract from or set a wallet, with a required reason and the balance it will leave. */
export function QuotaDialog({ user, onClose }: { user: AdminUserDTO | null; onClose: () => void }) {
  return (
    <Dialog open={user !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-lg" data-testid="quota-form">
        {user ? <QuotaForm user={user} onDone={onClose} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function QuotaForm({ user, onDone }: { user: AdminUserDTO; onDone: () => void }) {
  const { t } = useI18n();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>("add");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");

  const mutation = useMutation({
    mutationFn: () => unwrap(adjustUserQuotaAdminAction({ userId: user.id, mode, amount, reason })),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: adminUserKeys.all });
      void queryClient.invalidateQueries({ queryKey: overviewKeys.all });
      toast.success(t("adminUsers.toast.quota", { name: user.username, change: r.text }));
      onDone();
    },
  });
  const errors = failureFieldErrors(mutation.error);
  const formError =
    mutation.error && !errors.amount && !errors.reason
      ? mutation.error instanceof ActionFailure
        ? mutation.error.error.message
        : t("error.internal")
      : null;

  // the balance it would leave, as the server will compute it (the server re-checks everything)
  const parsed = amount.trim() ? parseAmount(amount, money.display, MAX_QUOTA) : null;
  const from = BigInt(user.quota);
  const to = parsed?.ok
    ? mode === "add"
      ? from + parsed.quota
      : mode === "subtract"
        ? from - parsed.quota
        : parsed.quota
    : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate();
  }

  const busy = mutation.isPending;
  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-1 flex-col">
      <DialogHeader>
        <DialogTitle>{t("adminUsers.quota.title", { name: user.username })}</DialogTitle>
        <DialogDescription>{t("adminUsers.quota.body")}</DialogDescription>
      </DialogHeader>
      <DialogBody className="space-y-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <Tabs value={mode} onValueChange={(v) => setMode(v as Mode)}>
          <TabsList className="grid w-full grid-cols-3" aria-label={t("adminUsers.quota.mode")}>
            {MODES.map((m) => (
              <TabsTrigger key={m} value={m} data-testid={`quota-mode-${m}`}>
                {t(`adminUsers.quota.mode.${m}`)}
              </TabsTrigger>
            ))}
          </TabsList>
        </Tabs>
        <FormField
          label={mode === "set" ? t("adminUsers.quota.newBalance") : t("field.amount")}
          error={errors.amount}
          hint={t("adminUsers.quota.unitHint", { unit: money.unitName })}
        >
          {(c) => (
            <AmountInput
              {...c}
              symbol={money.symbol}
              name="amount"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              autoFocus
            />
          )}
        </FormField>
        <FormField label={t("field.reason")} error={errors.reason} hint={t("adminUsers.quota.reasonHint")}>
          {(c) => (
            <Textarea
              {...c}
              name="reason"
              rows={2}
              maxLength={255}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder={t("adminUsers.quota.reasonPlaceholder")}
            />
          )}
        </FormField>
        <div
          className="flex flex-wrap items-center gap-2 rounded-xl bg-zinc-50 px-4 py-3 text-sm dark:bg-zinc-800/60"
          data-testid="quota-preview"
        >
          <span className="text-zinc-500 dark:text-zinc-400">{t("adminUsers.quota.balance")}</span>
          <span className="font-medium tabular-nums">{money.format(from, 4)}</span>
          <ArrowRight aria-hidden className="h-4 w-4 text-zinc-400" />
          <span
            className={
              to !== null && to < 0n
                ? "font-medium text-red-600 tabular-nums dark:text-red-400"
                : "font-medium tabular-nums"
            }
          >
            {to === null ? "—" : money.format(to, 4)}
          </span>
        </div>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onClick={onDone} disabled={busy}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
          {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {t(`adminUsers.quota.submit.${mode}`)}
        </Button>
      </DialogFooter>
    </form>
  );
}
