"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRightLeft, CircleCheck, History, Loader2, Ticket } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { failureFieldErrors, failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money, useMoney } from "@/components/money/money-provider";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/field";
import { AmountInput, Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { DateTime } from "@/components/ui/time";
import { transferAffQuotaAction } from "@/lib/invite/actions";
import { walletCreditsAction } from "@/lib/logs/actions";
import type { CreditDTO, CreditPageDTO } from "@/lib/logs/queries";
import { logKeys } from "@/lib/logs/query-keys";
import { parseAmount } from "@/lib/quota/money";
import { MAX_QUOTA } from "@/lib/quota/schemas";
import { redeemCodeAction } from "@/lib/redemption/actions";
import { accountSummaryAction } from "@/lib/users/actions";
import type { DashboardDTO } from "@/lib/users/queries";
import { accountKeys } from "@/lib/users/query-keys";

/** The wallet: balance and rewards, redeem a code, transfer rewards, the history of credits. */
export function WalletView({
  initialSummary,
  initialCredits,
}: {
  initialSummary: DashboardDTO;
  initialCredits: CreditPageDTO;
}) {
  const { t } = useI18n();
  const summary = useQuery({
    queryKey: accountKeys.summary(),
    queryFn: () => unwrap(accountSummaryAction({})),
    initialData: initialSummary,
  });
  const s = summary.data;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("wallet.title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("wallet.subtitle")}</p>
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,20rem)_minmax(0,1fr)]">
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-1 lg:content-start">
          <Card className="p-4 sm:p-5">
            <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{t("wallet.balance")}</p>
            <p className="mt-1.5 truncate text-xl font-semibold tracking-tight sm:text-3xl">
              <Money quota={s.raw.quota} digits={4} testId="wallet-balance" />
            </p>
          </Card>
          <Card className="p-4 sm:p-5">
            <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{t("wallet.affQuota")}</p>
            <p className="mt-1.5 truncate text-xl font-semibold tracking-tight sm:text-3xl">
              <Money quota={s.raw.affQuota} digits={4} testId="wallet-aff" />
            </p>
          </Card>
        </div>

        <Card className="p-4 sm:p-6">
          <Tabs defaultValue="redeem">
            <TabsList aria-label={t("wallet.tabs.label")} className="w-full sm:w-auto">
              <TabsTrigger value="redeem" className="flex-1 sm:flex-none">
                <Ticket aria-hidden />
                {t("wallet.tabs.redeem")}
              </TabsTrigger>
              <TabsTrigger value="transfer" className="flex-1 sm:flex-none">
                <ArrowRightLeft aria-hidden />
                {t("wallet.tabs.transfer")}
              </TabsTrigger>
            </TabsList>
            <TabsContent value="redeem" className="mt-5">
              <RedeemForm />
            </TabsContent>
            <TabsContent value="transfer" className="mt-5">
              <TransferForm summary={s} />
            </TabsContent>
          </Tabs>
        </Card>
      </div>

      <CreditHistory initial={initialCredits} />
    </div>
  );
}

function useInvalidateWallet() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: accountKeys.summary() });
    void queryClient.invalidateQueries({ queryKey: logKeys.walletCredits() });
  };
}

function RedeemForm() {
  const { t } = useI18n();
  const invalidate = useInvalidateWallet();
  const [code, setCode] = useState("");
  const [credited, setCredited] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: (c: string) => unwrap(redeemCodeAction({ code: c })),
    onSuccess: (r) => {
      setCredited(r.amount);
      setCode("");
      toast.success(t("wallet.redeem.success", { amount: r.amount }));
      invalidate();
    },
    onError: (e) => {
      setCredited(null);
      toast.error(failureMessage(e, t("error.internal")));
    },
  });
  const errors = failureFieldErrors(mutation.error);
  const otherError = mutation.error && !errors.code ? failureMessage(mutation.error, t("error.internal")) : null;
  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(code);
  }
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("wallet.redeem.body")}</p>
      {credited && !mutation.isPending ? (
        <Alert tone="success" testId="redeem-success">
          <span className="inline-flex items-center gap-2">
            <CircleCheck aria-hidden className="h-4 w-4" />
            {t("wallet.redeem.success", { amount: credited })}
          </span>
        </Alert>
      ) : null}
      {otherError ? <Alert tone="error">{otherError}</Alert> : null}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <FormField label={t("field.code")} error={errors.code} className="flex-1">
          {(c) => (
            <Input
              {...c}
              name="code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              placeholder={t("wallet.redeem.placeholder")}
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
            />
          )}
        </FormField>
        <Button
          type="submit"
          className="sm:mt-7"
          disabled={mutation.isPending || code.trim() === ""}
          aria-busy={mutation.isPending || undefined}
        >
          {mutation.isPending ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {mutation.isPending ? t("wallet.redeem.submitting") : t("wallet.redeem.submit")}
        </Button>
      </div>
    </form>
  );
}

function TransferForm({ summary }: { summary: DashboardDTO }) {
  const { t } = useI18n();
  const money = useMoney();
  const invalidate = useInvalidateWallet();
  const aff = BigInt(summary.raw.affQuota);
  const balance = BigInt(summary.raw.quota);
  const min = BigInt(money.display.quotaPerUnit);
  const [amount, setAmount] = useState(() => (aff >= min ? money.toInput(aff) : ""));
  const mutation = useMutation({
    mutationFn: (a: string) => unwrap(transferAffQuotaAction({ amount: a })),
    onSuccess: (r) => {
      toast.success(t("wallet.transfer.success", { amount: money.format(r.moved) }));
      const left = BigInt(r.affQuota);
      setAmount(left >= min ? money.toInput(left) : "");
      invalidate();
    },
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
  });
  const errors = failureFieldErrors(mutation.error);
  const otherError = mutation.error && !errors.amount ? failureMessage(mutation.error, t("error.internal")) : null;
  const parsed = parseAmount(amount, money.display, MAX_QUOTA);
  const moving = parsed.ok && parsed.quota >= min && parsed.quota <= aff ? parsed.quota : null;

  if (aff < min) {
    return (
      <div className="space-y-3" data-testid="transfer-unavailable">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {t("wallet.transfer.body", { min: money.format(min) })}
        </p>
        <Alert tone="info">
          {aff === 0n ? t("wallet.transfer.none") : t("wallet.transfer.belowMin", { min: money.format(min) })}
        </Alert>
      </div>
    );
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    mutation.mutate(amount);
  }
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {t("wallet.transfer.body", { min: money.format(min) })}
      </p>
      {otherError ? <Alert tone="error">{otherError}</Alert> : null}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <FormField label={t("field.amount")} error={errors.amount} className="flex-1" hint={money.unitName}>
          {(c) => (
            <div className="flex gap-2">
              <div className="flex-1">
                <AmountInput
                  {...c}
                  symbol={money.symbol}
                  name="amount"
                  value={amount}
                  onChange={(e) => setAmount(e.target.value)}
                />
              </div>
              <Button variant="secondary" onClick={() => setAmount(money.toInput(aff))}>
                {t("wallet.transfer.all")}
              </Button>
            </div>
          )}
        </FormField>
        <Button
          type="submit"
          className="sm:mt-7"
          disabled={mutation.isPending}
          aria-busy={mutation.isPending || undefined}
        >
          {mutation.isPending ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {mutation.isPending ? t("wallet.transfer.submitting") : t("wallet.transfer.submit")}
        </Button>
      </div>
      {moving !== null ? (
        <p
          className="rounded-lg bg-zinc-50 px-3 py-2 text-sm text-zinc-700 dark:bg-zinc-800/60 dark:text-zinc-300"
          data-testid="transfer-preview"
          aria-live="polite"
        >
          {t("wallet.transfer.preview", {
            amount: money.format(moving),
            affFrom: money.format(aff),
            affTo: money.format(aff - moving),
            balFrom: money.format(balance),
            balTo: money.format(balance + moving),
          })}
        </p>
      ) : null}
    </form>
  );
}

const KIND_TONE = {
  redemption: "success",
  aff_transfer: "info",
  admin: "neutral",
  register_gift: "info",
  invitee_gift: "info",
  other: "neutral",
} as const;

function CreditHistory({ initial }: { initial: CreditPageDTO }) {
  const { t } = useI18n();
  const query = useInfiniteQuery({
    queryKey: logKeys.walletCredits(),
    queryFn: ({ pageParam }) => unwrap(walletCreditsAction({ cursor: pageParam })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader className="pb-3 sm:pb-4">
        <div>
          <CardTitle>{t("wallet.history.title")}</CardTitle>
          <CardDescription>{t("wallet.history.body")}</CardDescription>
        </div>
      </CardHeader>
      {query.isError && items.length === 0 ? (
        <ErrorState onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={History} body={t("wallet.history.empty")} className="pt-4" />
      ) : (
        <>
          {/* phones: a list; wider: the table */}
          <ul
            className="divide-y divide-zinc-100 border-t border-zinc-100 sm:hidden dark:divide-zinc-800 dark:border-zinc-800"
            data-testid="credit-list"
          >
            {items.map((c) => (
              <CreditItem key={c.id} credit={c} />
            ))}
          </ul>
          <Table data-testid="credit-history" className="hidden sm:table">
            <THead>
              <tr>
                <TH className="pl-5 sm:pl-6">{t("wallet.history.col.time")}</TH>
                <TH>{t("wallet.history.col.kind")}</TH>
                <TH className="text-right">{t("wallet.history.col.amount")}</TH>
                <TH className="pr-5 sm:pr-6">{t("wallet.history.col.detail")}</TH>
              </tr>
            </THead>
            <TBody>
              {items.map((c) => (
                <CreditRow key={c.id} credit={c} />
              ))}
              {query.isFetchingNextPage
                ? Array.from({ length: 3 }, (_, i) => (
                    <tr key={`s${i}`}>
                      <TD colSpan={4} className="px-5 sm:px-6">
                        <Skeleton className="h-5 w-full" />
                      </TD>
                    </tr>
                  ))
                : null}
            </TBody>
          </Table>
          {query.isError ? (
            <div className="border-t border-zinc-100 p-3 dark:border-zinc-800">
              <ErrorState onRetry={() => void query.fetchNextPage()} className="py-4" />
            </div>
          ) : query.hasNextPage ? (
            <div className="flex justify-center border-t border-zinc-100 p-3 dark:border-zinc-800">
              <Button
                variant="secondary"
                size="sm"
                onClick={() => void query.fetchNextPage()}
                disabled={query.isFetchingNextPage}
              >
                {t("common.showMore")}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}

function useCreditDetail(credit: CreditDTO): string {
  const { t } = useI18n();
  if (credit.kind === "redemption" && credit.redemptionId !== null)
    return t("wallet.detail.redemption", { id: credit.redemptionId });
  if (credit.kind === "admin" && credit.operator && credit.reason)
    return t("wallet.detail.adminReason", { operator: credit.operator, reason: credit.reason });
  if (credit.kind === "admin" && credit.operator) return t("wallet.detail.admin", { operator: credit.operator });
  return "";
}

function CreditItem({ credit }: { credit: CreditDTO }) {
  const { t } = useI18n();
  const negative = credit.quota.startsWith("-");
  const detail = useCreditDetail(credit);
  return (
    <li className="space-y-1 px-5 py-3" data-testid="credit-item" data-kind={credit.kind}>
      <div className="flex items-center justify-between gap-3">
        <Badge tone={KIND_TONE[credit.kind]}>{t(`wallet.kind.${credit.kind}`)}</Badge>
        <span
          className={
            negative
              ? "font-medium text-red-600 dark:text-red-400"
              : "font-medium text-emerald-700 dark:text-emerald-400"
          }
        >
          {negative ? "" : "+"}
          <Money quota={credit.quota} />
        </span>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        <DateTime iso={credit.createdAt} />
        {detail ? ` · ${detail}` : ""}
      </p>
    </li>
  );
}

function CreditRow({ credit }: { credit: CreditDTO }) {
  const { t } = useI18n();
  const negative = credit.quota.startsWith("-");
  const detail = useCreditDetail(credit);
  return (
    <TR data-testid="credit-row" data-kind={credit.kind}>
      <TD className="whitespace-nowrap pl-5 text-zinc-600 sm:pl-6 dark:text-zinc-400">
        <DateTime iso={credit.createdAt} />
      </TD>
      <TD className="whitespace-nowrap">
        <Badge tone={KIND_TONE[credit.kind]}>{t(`wallet.kind.${credit.kind}`)}</Badge>
      </TD>
      <TD
        className={
          negative
            ? "whitespace-nowrap text-right font-medium text-red-600 dark:text-red-400"
            : "whitespace-nowrap text-right font-medium text-emerald-700 dark:text-emerald-400"
        }
      >
        {negative ? "" : "+"}
        <Money quota={credit.quota} />
      </TD>
      <TD className="whitespace-nowrap pr-5 text-zinc-600 sm:pr-6 dark:text-zinc-400">{detail}</TD>
    </TR>
  );
}
