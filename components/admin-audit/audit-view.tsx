"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { History, Loader2 } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FormField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Money } from "@/components/money/money-provider";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { DateTime } from "@/components/ui/time";
import { listAuditAction } from "@/lib/audit/actions";
import { auditKeys } from "@/lib/audit/query-keys";
import { AUDIT_TARGET_TYPES, type TAuditListInput } from "@/lib/audit/schemas";
import type { AdminAuditDTO } from "@/lib/audit/service";

type Filters = { operator: string; action: string; targetType: string; targetId: string };
const FILTER_NAMES: (keyof Filters)[] = ["operator", "action", "targetType", "targetId"];
/** Radix Select items cannot be "": this stands for "any target type" */
const ANY = "__any__";

/** The admin audit trail: who changed what and when, filtered in the URL, older rows on demand. */
export function AuditView({
  initial,
  initialFilters,
  invalid,
}: {
  initial: { items: AdminAuditDTO[]; nextCursor: string | null };
  initialFilters: Filters;
  invalid: boolean;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const filters: Filters = {
    operator: search.get("operator") ?? "",
    action: search.get("action") ?? "",
    targetType: search.get("targetType") ?? "",
    targetId: search.get("targetId") ?? "",
  };
  const [draft, setDraft] = useState<Filters>(filters);
  const sameAsServer = FILTER_NAMES.every((k) => filters[k] === initialFilters[k]);

  const list = useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam }) =>
      unwrap(
        listAuditAction({
          ...filters,
          targetType: filters.targetType as TAuditListInput["targetType"],
          cursor: pageParam,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: sameAsServer && !invalid ? { pages: [initial], pageParams: [null] } : undefined,
    retry: false,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const active = FILTER_NAMES.some((k) => filters[k]);

  function apply(next: Filters) {
    const q = new URLSearchParams();
    for (const k of FILTER_NAMES) if (next[k].trim()) q.set(k, next[k].trim());
    router.replace(q.size ? `${pathname}?${q}` : pathname, { scroll: false });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    apply(draft);
  }

  const clear = () => {
    const empty = { operator: "", action: "", targetType: "", targetId: "" };
    setDraft(empty);
    apply(empty);
  };

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("adminAudit.title")}</h1>
        <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{t("adminAudit.subtitle")}</p>
      </div>

      <Card className="overflow-hidden">
        <form
          onSubmit={submit}
          className="grid gap-3 border-b border-zinc-200 p-4 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_1fr_auto] lg:items-end dark:border-zinc-800"
          data-testid="audit-filters"
        >
          <FormField label={t("adminAudit.filter.operator")}>
            {(c) => (
              <Input
                {...c}
                className="h-9"
                value={draft.operator}
                onChange={(e) => setDraft({ ...draft, operator: e.target.value })}
                placeholder="root"
              />
            )}
          </FormField>
          <FormField label={t("adminAudit.filter.action")}>
            {(c) => (
              <Input
                {...c}
                className="h-9"
                list="audit-actions"
                value={draft.action}
                onChange={(e) => setDraft({ ...draft, action: e.target.value })}
                placeholder="user.quota_"
              />
            )}
          </FormField>
          <datalist id="audit-actions">
            {["user.", "user.create", "user.update", "user.quota_", "channel.", "option.", "redemption."].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <FormField label={t("adminAudit.filter.targetType")}>
            {(c) => (
              // one child: Radix puts a hidden <select> beside the trigger, which the field's spacing would push down
              <div>
                <Select
                  value={draft.targetType || ANY}
                  onValueChange={(v) => setDraft({ ...draft, targetType: v === ANY ? "" : v })}
                >
                  <SelectTrigger {...c} className="h-9">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value={ANY}>{t("common.all")}</SelectItem>
                    {AUDIT_TARGET_TYPES.map((type) => (
                      <SelectItem key={type} value={type}>
                        {t(`adminAudit.target.${type}`)}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              </div>
            )}
          </FormField>
          <FormField label={t("adminAudit.filter.targetId")}>
            {(c) => (
              <Input
                {...c}
                className="h-9"
                value={draft.targetId}
                onChange={(e) => setDraft({ ...draft, targetId: e.target.value })}
              />
            )}
          </FormField>
          <div className="flex gap-2">
            <Button type="submit" size="sm" className="h-9">
              {t("adminAudit.apply")}
            </Button>
            {active ? (
              <Button type="button" variant="ghost" size="sm" className="h-9" onClick={clear}>
                {t("adminAudit.clear")}
              </Button>
            ) : null}
          </div>
        </form>

        {invalid && sameAsServer ? (
          <div className="p-4">
            <Alert tone="error">{t("adminAudit.invalid")}</Alert>
          </div>
        ) : list.isError ? (
          <ErrorState onRetry={() => void list.refetch()} />
        ) : list.isPending ? (
          <div className="space-y-2 p-4" aria-busy="true">
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-14 w-full" />
            ))}
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={History}
            body={active ? t("adminAudit.emptyFiltered") : t("adminAudit.empty")}
            action={
              active ? (
                <Button variant="secondary" size="sm" onClick={clear}>
                  {t("adminAudit.clear")}
                </Button>
              ) : undefined
            }
          />
        ) : (
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="audit-list">
            {rows.map((r) => (
              <AuditRow key={r.id} row={r} />
            ))}
          </ul>
        )}
        {list.hasNextPage ? (
          <div className="border-t border-zinc-200 px-4 py-3 text-center dark:border-zinc-800">
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void list.fetchNextPage()}
              disabled={list.isFetchingNextPage}
            >
              {list.isFetchingNextPage ? <Loader2 aria-hidden className="animate-spin" /> : null}
              {t("common.showMore")}
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}

const ACTION_TONE = (action: string) =>
  action.includes("quota")
    ? "info"
    : action.endsWith("create")
      ? "success"
      : action.endsWith("delete")
        ? "danger"
        : "neutral";

/** fields whose values are quota: shown in the display unit, the raw quota on hover */
const QUOTA_FIELDS = new Set(["quota", "amount", "remainQuota", "remain_quota", "usedQuota"]);

/** a value as the trail shows it: amounts of quota as money, text as it is, anything else as JSON */
function Shown({ field, value }: { field: string; value: unknown }) {
  if (QUOTA_FIELDS.has(field) && typeof value === "string" && /^-?\d+$/.test(value)) return <Money quota={value} />;
  if (value === undefined) return <>—</>;
  if (typeof value === "string") return <>{value === "" ? "“”" : value}</>;
  return <>{JSON.stringify(value)}</>;
}

function AuditRow({ row }: { row: AdminAuditDTO }) {
  const { t } = useI18n();
  const before = (row.before && typeof row.before === "object" ? row.before : {}) as Record<string, unknown>;
  const after = (row.after && typeof row.after === "object" ? row.after : {}) as Record<string, unknown>;
  const { reason, ...afterRest } = after;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(afterRest)])];
  const target =
    row.targetType === "user" ? (
      <Link
        href={`/admin/users?q=${encodeURIComponent(row.targetId)}`}
        className="text-indigo-700 hover:underline dark:text-indigo-300"
      >
        {t("adminAudit.target.user")} #{row.targetId}
      </Link>
    ) : (
      <span>
        {t(`adminAudit.target.${row.targetType as (typeof AUDIT_TARGET_TYPES)[number]}`)} {row.targetId}
      </span>
    );
  return (
    <li className="space-y-2 px-4 py-3 sm:px-5" data-testid="audit-row" data-action={row.action}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Badge tone={ACTION_TONE(row.action)} className="font-mono">
          {row.action}
        </Badge>
        <span className="text-zinc-600 dark:text-zinc-300">{t("adminAudit.by", { operator: row.operator })}</span>
        <span className="text-zinc-400">→</span>
        {target}
        <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
          <DateTime iso={row.createdAt} />
          {row.ip ? ` · ${row.ip}` : ""}
        </span>
      </div>
      {typeof reason === "string" ? (
        <p className="text-sm">
          <span className="text-zinc-500 dark:text-zinc-400">{t("adminAudit.reason")}</span> {reason}
        </p>
      ) : null}
      {fields.length > 0 ? (
        <dl className="grid gap-1 rounded-lg bg-zinc-50 p-2 text-xs sm:grid-cols-[10rem_1fr] dark:bg-zinc-800/50">
          {fields.map((f) => (
            <div key={f} className="contents">
              <dt className="font-mono text-zinc-500 dark:text-zinc-400">{f}</dt>
              <dd className="min-w-0 break-words">
                {f in before ? (
                  <>
                    <span className="text-red-700 line-through decoration-red-400/60 dark:text-red-300">
                      <Shown field={f} value={before[f]} />
                    </span>
                    <span className="px-1.5 text-zinc-400">→</span>
                  </>
                ) : null}
                <span className="text-emerald-700 dark:text-emerald-300">
                  <Shown field={f} value={afterRest[f]} />
                </span>
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </li>
  );
}
