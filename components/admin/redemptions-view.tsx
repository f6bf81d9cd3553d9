"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, Plus, Ticket, Trash2 } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { DateTime, RelativeTime } from "@/components/ui/time";
import { deleteSpentRedemptionsAction, disableRedemptionAction, listRedemptionsAction } from "@/lib/redemption/actions";
import type { RedemptionDto } from "@/lib/redemption/queries";
import { redemptionKeys } from "@/lib/redemption/query-keys";
import { REDEMPTION_STATES, type RedemptionState } from "@/lib/redemption/schemas";
import { RedemptionBatchDialog, RedemptionRevealDialog, type CreatedBatch } from "./redemption-batch-dialog";

const TONE = { unused: "success", used: "info", disabled: "neutral", expired: "warning" } as const;

type Page = { items: RedemptionDto[]; nextCursor: number | null };

/** The admin's redemption codes: batches, a list filtered by state and name (in the URL), disable, bulk delete. */
export function RedemptionsView({ initial }: { initial: Page }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const stateParam = params.get("state");
  const state = REDEMPTION_STATES.includes(stateParam as RedemptionState) ? (stateParam as RedemptionState) : null;
  const name = params.get("name")?.trim() || null;
  const [nameInput, setNameInput] = useState(name ?? "");
  const [formOpen, setFormOpen] = useState(false);
  const [batch, setBatch] = useState<CreatedBatch | null>(null);
  const [confirm, setConfirm] = useState<{ kind: "disable"; code: RedemptionDto } | { kind: "deleteSpent" } | null>(
    null,
  );

  function setFilter(next: { state?: RedemptionState | null; name?: string | null }) {
    const q = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(next)) {
      if (v) q.set(k, v);
      else q.delete(k);
    }
    router.replace(q.size ? `${pathname}?${q}` : pathname, { scroll: false });
  }
  // the name filter follows the typing, a moment later
  useEffect(() => {
    const typed = nameInput.trim() || null;
    if (typed === name) return;
    const timer = setTimeout(() => setFilter({ name: typed }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nameInput]);

  const filter = { state, name };
  const isInitial = !state && !name;
  const list = useInfiniteQuery({
    queryKey: redemptionKeys.list(filter),
    queryFn: ({ pageParam }) => unwrap(listRedemptionsAction({ state, name, cursor: pageParam })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
    ...(isInitial ? { initialData: { pages: [initial], pageParams: [null] } } : {}),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const invalidate = () => queryClient.invalidateQueries({ queryKey: redemptionKeys.all });

  const disableMutation = useMutation({
    mutationFn: (c: RedemptionDto) => unwrap(disableRedemptionAction({ id: c.id })),
    onSuccess: () => toast.success(t("redemptions.toast.disabled")),
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
    onSettled: () => {
      setConfirm(null);
      void invalidate();
    },
  });
  const deleteMutation = useMutation({
    mutationFn: () => unwrap(deleteSpentRedemptionsAction({})),
    onSuccess: (r) => toast.success(t("redemptions.toast.deleted", { count: r.deleted })),
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
    onSettled: () => {
      setConfirm(null);
      void invalidate();
    },
  });

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("redemptions.title")}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{t("redemptions.subtitle")}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => setConfirm({ kind: "deleteSpent" })}>
            <Trash2 aria-hidden />
            {t("redemptions.deleteSpent")}
          </Button>
          <Button onClick={() => setFormOpen(true)}>
            <Plus aria-hidden />
            {t("redemptions.create")}
          </Button>
        </div>
      </div>
      <Card className="overflow-hidden">
        <div className="flex flex-col gap-3 border-b border-zinc-200 p-3 sm:flex-row sm:items-center sm:px-4 dark:border-zinc-800">
          <Select
            value={state ?? "all"}
            onValueChange={(v) => setFilter({ state: v === "all" ? null : (v as RedemptionState) })}
          >
            <SelectTrigger
              className="h-9 sm:w-48"
              aria-label={t("redemptions.filter.state")}
              data-testid="state-filter"
            >
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="all">{t("redemptions.filter.all")}</SelectItem>
              {REDEMPTION_STATES.map((s) => (
                <SelectItem key={s} value={s}>
                  {t(`redemptions.state.${s}`)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <Input
            className="h-9 sm:w-64"
            aria-label={t("redemptions.filter.name")}
            placeholder={t("redemptions.filter.name")}
            value={nameInput}
            onChange={(e) => setNameInput(e.target.value)}
          />
        </div>
        {list.isError ? (
          <ErrorState onRetry={() => void list.refetch()} />
        ) : list.isPending ? (
          <p className="p-6 text-sm text-zinc-500">{t("common.loading")}</p>
        ) : items.length === 0 ? (
          <EmptyState
            icon={Ticket}
            title={t("redemptions.empty.title")}
            body={t("redemptions.empty.body")}
            action={
              <Button onClick={() => setFormOpen(true)}>
                <Plus aria-hidden />
                {t("redemptions.create")}
              </Button>
            }
          />
        ) : (
          <>
            <div className="hidden md:block" data-testid="redemptions-table">
              <Table>
                <THead>
                  <tr>
                    <TH className="pl-4">{t("redemptions.col.name")}</TH>
                    <TH>{t("redemptions.col.code")}</TH>
                    <TH className="text-right">{t("redemptions.col.amount")}</TH>
                    <TH>{t("redemptions.col.status")}</TH>
                    <TH>{t("redemptions.col.created")}</TH>
                    <TH>{t("redemptions.col.expires")}</TH>
                    <TH>{t("redemptions.col.redeemed")}</TH>
                    <TH className="pr-3">
                      <span className="sr-only">{t("common.actions")}</span>
                    </TH>
                  </tr>
                </THead>
                <TBody>
                  {items.map((c) => (
                    <TR key={c.id} data-testid="redemption-row" data-state={c.state}>
                      <TD className="pl-4 font-medium">{c.name}</TD>
                      <TD className="font-mono text-xs">{c.maskedKey}</TD>
                      <TD className="text-right">
                        <Money quota={c.quota} />
                      </TD>
                      <TD>
                        <Badge tone={TONE[c.state]}>{t(`redemptions.state.${c.state}`)}</Badge>
                      </TD>
                      <TD className="whitespace-nowrap text-sm">
                        <DateTime iso={c.createdAt} />
                      </TD>
                      <TD className="whitespace-nowrap text-sm">
                        <Expiry c={c} />
                      </TD>
                      <TD className="text-sm">
                        <Redeemed c={c} />
                      </TD>
                      <TD className="pr-3 text-right">
                        {c.state === "unused" ? (
                          <Button variant="ghost" size="sm" onClick={() => setConfirm({ kind: "disable", code: c })}>
                            <Ban aria-hidden />
                            {t("redemptions.disable")}
                          </Button>
                        ) : null}
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            </div>
            <ul className="divide-y divide-zinc-100 md:hidden dark:divide-zinc-800">
              {items.map((c) => (
                <li key={c.id} className="space-y-2 p-4" data-testid="redemption-card">
                  <div className="flex items-center justify-between gap-2">
                    <div className="min-w-0">
                      <p className="truncate font-medium">{c.name}</p>
                      <p className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{c.maskedKey}</p>
                    </div>
                    <Badge tone={TONE[c.state]}>{t(`redemptions.state.${c.state}`)}</Badge>
                  </div>
                  <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                    <div>
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("redemptions.col.amount")}</dt>
                      <dd>
                        <Money quota={c.quota} />
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("redemptions.col.expires")}</dt>
                      <dd>
                        <Expiry c={c} />
                      </dd>
                    </div>
                    <div className="col-span-2">
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("redemptions.col.redeemed")}</dt>
                      <dd>
                        <Redeemed c={c} />
                      </dd>
                    </div>
                  </dl>
                  {c.state === "unused" ? (
                    <Button variant="secondary" size="sm" onClick={() => setConfirm({ kind: "disable", code: c })}>
                      <Ban aria-hidden />
                      {t("redemptions.disable")}
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
        {list.hasNextPage ? (
          <div className="border-t border-zinc-200 p-3 text-center dark:border-zinc-800">
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void list.fetchNextPage()}
              disabled={list.isFetchingNextPage}
            >
              {t("redemptions.loadMore")}
            </Button>
          </div>
        ) : null}
      </Card>
      <RedemptionBatchDialog open={formOpen} onOpenChange={setFormOpen} onCreated={setBatch} />
      <RedemptionRevealDialog batch={batch} onClose={() => setBatch(null)} />
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(open) => (open ? undefined : setConfirm(null))}
        pending={disableMutation.isPending || deleteMutation.isPending}
        title={
          confirm?.kind === "disable"
            ? t("redemptions.confirm.disable.title")
            : confirm
              ? t("redemptions.confirm.deleteSpent.title")
              : ""
        }
        body={
          confirm?.kind === "disable"
            ? t("redemptions.confirm.disable.body")
            : confirm
              ? t("redemptions.confirm.deleteSpent.body")
              : ""
        }
        confirmLabel={confirm?.kind === "disable" ? t("redemptions.disable") : t("common.delete")}
        onConfirm={() => {
          if (confirm?.kind === "disable") disableMutation.mutate(confirm.code);
          else if (confirm) deleteMutation.mutate();
        }}
      />
    </div>
  );
}

function Expiry({ c }: { c: RedemptionDto }) {
  const { t } = useI18n();
  if (c.expiredTime === 0) return <span className="text-zinc-500 dark:text-zinc-400">{t("common.never")}</span>;
  return <DateTime iso={new Date(c.expiredTime * 1000).toISOString()} />;
}

function Redeemed({ c }: { c: RedemptionDto }) {
  if (!c.redeemedAt) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  return (
    <span data-testid="redeemed-by">
      {c.usedUsername ?? `#${c.usedUserId}`} · <RelativeTime iso={c.redeemedAt} />
    </span>
  );
}
