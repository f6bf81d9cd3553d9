"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type Row,
  type SortingState,
} from "@tanstack/react-table";
import {
  ArrowDown,
  ArrowUp,
  ArrowUpDown,
  Ellipsis,
  KeyRound,
  Pencil,
  Plus,
  Power,
  PowerOff,
  RefreshCw,
  Trash2,
} from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { toast } from "sonner";
import { failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { DateTime, RelativeTime } from "@/components/ui/time";
import { Tooltip } from "@/components/ui/tooltip";
import {
  deleteKeysAction,
  keyFormOptionsAction,
  listKeysAction,
  regenerateKeyAction,
  setKeyStatusAction,
} from "@/lib/keys/actions";
import type { KeyDTO, KeyFormOptionsDTO, KeyListDTO } from "@/lib/keys/queries";
import { keyKeys } from "@/lib/keys/query-keys";
import type { KeyState } from "@/lib/keys/schemas";
import type { CreatedKey } from "@/lib/keys/service";
import { KeyFormDialog } from "./key-form-dialog";
import { KeyRevealDialog } from "./key-reveal-dialog";
import { KeyStatusBadge } from "./key-status-badge";
import { splitIpList } from "@/lib/net/ip";

const STATES: KeyState[] = ["enabled", "disabled", "expired", "exhausted"];
const STATE_ORDER: Record<KeyState, number> = { enabled: 0, disabled: 1, expired: 2, exhausted: 3 };
const PAGE_SIZE = 20;

type Confirm =
  { kind: "delete"; keys: KeyDTO[] } | { kind: "regenerate"; key: KeyDTO } | { kind: "disable"; key: KeyDTO } | null;

const cmpBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** The API keys page: a sortable, filterable table (cards on phones) with every action on a key. */
export function KeysView({ initial, initialOptions }: { initial: KeyListDTO; initialOptions: KeyFormOptionsDTO }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const statusParam = params.get("status");
  const status = STATES.includes(statusParam as KeyState) ? (statusParam as KeyState) : null;

  const list = useQuery({ queryKey: keyKeys.list(), queryFn: () => unwrap(listKeysAction({})), initialData: initial });
  const formOptions = useQuery({
    queryKey: keyKeys.formOptions(),
    queryFn: () => unwrap(keyFormOptionsAction({})),
    initialData: initialOptions,
  });
  const keys = list.data.keys;

  const [sorting, setSorting] = useState<SortingState>([]);
  const [rowSelection, setRowSelection] = useState<Record<string, boolean>>({});
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<KeyDTO | null>(null);
  const [revealed, setRevealed] = useState<CreatedKey[] | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);

  const invalidateList = () => queryClient.invalidateQueries({ queryKey: keyKeys.list() });

  function setStatusFilter(next: KeyState | null) {
    const q = new URLSearchParams(params.toString());
    if (next) q.set("status", next);
    else q.delete("status");
    setRowSelection({});
    table.setPageIndex(0);
    router.replace(q.size ? `${pathname}?${q}` : pathname, { scroll: false });
  }

  const statusMutation = useMutation({
    mutationFn: (v: { key: KeyDTO; status: 1 | 2 }) => unwrap(setKeyStatusAction({ id: v.key.id, status: v.status })),
    onSuccess: (_data, v) => {
      toast.success(v.status === 1 ? t("keys.toast.enabled") : t("keys.toast.disabled"));
      setConfirm(null);
      void invalidateList();
    },
    onError: (e) => {
      toast.error(failureMessage(e, t("error.internal")));
      setConfirm(null);
    },
  });

  const deleteMutation = useMutation({
    mutationFn: (ids: number[]) => unwrap(deleteKeysAction({ ids })),
    onSuccess: (r) => {
      toast.success(r.deleted > 1 ? t("keys.toast.deletedMany", { count: r.deleted }) : t("keys.toast.deleted"));
      setConfirm(null);
      setRowSelection({});
      void invalidateList();
    },
    onError: (e) => {
      toast.error(failureMessage(e, t("error.internal")));
      setConfirm(null);
      void invalidateList();
    },
  });

  const regenerateMutation = useMutation({
    mutationFn: (key: KeyDTO) => unwrap(regenerateKeyAction({ id: key.id })),
    onSuccess: (created) => {
      toast.success(t("keys.toast.regenerated"));
      setConfirm(null);
      setRevealed([created]);
      void invalidateList();
    },
    onError: (e) => {
      toast.error(failureMessage(e, t("error.internal")));
      setConfirm(null);
    },
  });

  const enable = statusMutation.mutate;
  const act = useMemo<RowActs>(
    () => ({
      edit: (k) => {
        setEditing(k);
        setFormOpen(true);
      },
      enable: (k) => enable({ key: k, status: 1 }),
      confirm: setConfirm,
    }),
    [enable],
  );

  const columns = useMemo<ColumnDef<KeyDTO>[]>(
    () => [
      {
        id: "select",
        header: ({ table }) => (
          <Checkbox
            aria-label={t("keys.selectAll")}
            checked={
              table.getIsAllPageRowsSelected() ? true : table.getIsSomePageRowsSelected() ? "indeterminate" : false
            }
            onCheckedChange={(v) => table.toggleAllPageRowsSelected(v === true)}
          />
        ),
        cell: ({ row }) => (
          <Checkbox
            aria-label={t("keys.selectRow", { name: row.original.name })}
            checked={row.getIsSelected()}
            onCheckedChange={(v) => row.toggleSelected(v === true)}
          />
        ),
        enableSorting: false,
      },
      {
        id: "name",
        accessorFn: (k) => k.name.toLowerCase(),
        header: t("keys.col.name"),
        cell: ({ row }) => (
          <div className="min-w-0">
            <p className="max-w-[12rem] truncate font-medium" title={row.original.name}>
              {row.original.name}
            </p>
            <p className="font-mono text-xs text-zinc-500 dark:text-zinc-400" data-testid="masked-key">
              {row.original.maskedKey}
            </p>
          </div>
        ),
      },
      {
        id: "state",
        accessorFn: (k) => k.state,
        header: t("keys.col.status"),
        sortingFn: (a, b) => STATE_ORDER[a.original.state] - STATE_ORDER[b.original.state],
        filterFn: (row, _id, value) => !value || row.original.state === value,
        cell: ({ row }) => <KeyStatusBadge state={row.original.state} />,
      },
      {
        id: "remain",
        accessorFn: (k) => k.remainQuota,
        header: t("keys.col.remain"),
        sortingFn: (a, b) =>
          a.original.unlimitedQuota === b.original.unlimitedQuota
            ? cmpBig(BigInt(a.original.remainQuota), BigInt(b.original.remainQuota))
            : a.original.unlimitedQuota
              ? 1
              : -1,
        cell: ({ row }) =>
          row.original.unlimitedQuota ? (
            <span className="text-zinc-500 dark:text-zinc-400">{t("common.unlimited")}</span>
          ) : (
            <Money quota={row.original.remainQuota} digits={4} />
          ),
      },
      {
        id: "used",
        accessorFn: (k) => k.usedQuota,
        header: t("keys.col.used"),
        sortingFn: (a, b) => cmpBig(BigInt(a.original.usedQuota), BigInt(b.original.usedQuota)),
        cell: ({ row }) => <Money quota={row.original.usedQuota} digits={4} />,
      },
      {
        id: "expires",
        accessorFn: (k) => (k.expiredTime === -1 ? Number.MAX_SAFE_INTEGER : k.expiredTime),
        header: t("keys.col.expires"),
        cell: ({ row }) =>
          row.original.expiredTime === -1 ? (
            <span className="text-zinc-500 dark:text-zinc-400">{t("common.never")}</span>
          ) : (
            <DateTime dateOnly iso={new Date(row.original.expiredTime * 1000).toISOString()} />
          ),
      },
      {
        id: "lastUsed",
        accessorFn: (k) => (k.accessedAt ? Date.parse(k.accessedAt) : 0),
        header: t("keys.col.lastUsed"),
        cell: ({ row }) =>
          row.original.accessedAt ? (
            <RelativeTime iso={row.original.accessedAt} testId="last-used" />
          ) : (
            <span className="text-zinc-500 dark:text-zinc-400" data-testid="last-used">
              {t("common.never")}
            </span>
          ),
      },
      {
        id: "group",
        accessorFn: (k) => k.group,
        header: t("keys.col.group"),
        cell: ({ row }) =>
          row.original.group ? (
            <span className="font-mono text-xs">{row.original.group}</span>
          ) : (
            <span className="text-zinc-500 dark:text-zinc-400">{t("keys.group.own")}</span>
          ),
      },
      {
        id: "limits",
        header: `${t("keys.col.models")} · ${t("keys.col.ips")}`,
        enableSorting: false,
        cell: ({ row }) => <Limits keyDto={row.original} />,
      },
      {
        id: "actions",
        header: () => <span className="sr-only">{t("common.actions")}</span>,
        enableSorting: false,
        cell: ({ row }) => <RowActions keyDto={row.original} act={act} />,
      },
    ],
    [t, act],
  );

  // stable references: the table recomputes (and would reset its page, again and again) when they change
  const columnFilters = useMemo(() => (status ? [{ id: "state", value: status }] : []), [status]);
  const table = useReactTable({
    data: keys,
    columns,
    state: { sorting, rowSelection, columnFilters },
    getRowId: (k) => String(k.id),
    onSortingChange: setSorting,
    onRowSelectionChange: setRowSelection,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageIndex: 0, pageSize: PAGE_SIZE } },
    autoResetPageIndex: false,
  });

  const selected = keys.filter((k) => rowSelection[String(k.id)]);
  const counts = Object.fromEntries(STATES.map((s) => [s, keys.filter((k) => k.state === s).length])) as Record<
    KeyState,
    number
  >;

  function openCreate() {
    setEditing(null);
    setFormOpen(true);
  }

  const rows = table.getRowModel().rows;
  const pageCount = table.getPageCount();
  const confirmPending = deleteMutation.isPending || regenerateMutation.isPending || statusMutation.isPending;

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("keys.title")}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{t("keys.subtitle")}</p>
        </div>
        <div className="flex items-center gap-3">
          <span className="text-sm text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="key-count">
            {t("keys.count", { count: keys.length, max: list.data.max })}
          </span>
          <Button onClick={openCreate}>
            <Plus aria-hidden />
            {t("keys.create")}
          </Button>
        </div>
      </div>

      <Card className="overflow-hidden">
        {keys.length > 0 ? (
          <div className="flex flex-col gap-3 border-b border-zinc-200 p-3 sm:flex-row sm:items-center sm:justify-between sm:px-4 dark:border-zinc-800">
            <Select
              value={status ?? "all"}
              onValueChange={(v) => setStatusFilter(v === "all" ? null : (v as KeyState))}
            >
              <SelectTrigger className="h-9 sm:w-56" aria-label={t("keys.filter.status")} data-testid="status-filter">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="all">
                  {t("keys.filter.all")} ({keys.length})
                </SelectItem>
                {STATES.map((s) => (
                  <SelectItem key={s} value={s}>
                    {t(`keys.status.${s}`)} ({counts[s]})
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            {selected.length > 0 ? (
              <div className="flex items-center gap-2" data-testid="bulk-bar">
                <span className="text-sm text-zinc-600 dark:text-zinc-400">
                  {t("common.selected", { count: selected.length })}
                </span>
                <Button variant="ghost" size="sm" onClick={() => setRowSelection({})}>
                  {t("common.clearSelection")}
                </Button>
                <Button variant="danger" size="sm" onClick={() => setConfirm({ kind: "delete", keys: selected })}>
                  <Trash2 aria-hidden />
                  {t("keys.bulk.delete")}
                </Button>
              </div>
            ) : null}
          </div>
        ) : null}

        {list.isError ? (
          <ErrorState onRetry={() => void list.refetch()} />
        ) : keys.length === 0 ? (
          <EmptyState
            icon={KeyRound}
            title={t("keys.empty.title")}
            body={t("keys.empty.body")}
            action={
              <Button onClick={openCreate}>
                <Plus aria-hidden />
                {t("keys.empty.action")}
              </Button>
            }
          />
        ) : rows.length === 0 ? (
          <EmptyState
            icon={KeyRound}
            body={t("keys.filtered.empty")}
            action={
              <Button variant="secondary" size="sm" onClick={() => setStatusFilter(null)}>
                {t("keys.filtered.clear")}
              </Button>
            }
          />
        ) : (
          <>
            {/* md and up: the table (it scrolls sideways when narrow) */}
            <div className="hidden md:block" data-testid="keys-table">
              <Table>
                <THead>
                  {table.getHeaderGroups().map((hg) => (
                    <tr key={hg.id}>
                      {hg.headers.map((h) => (
                        <TH
                          key={h.id}
                          className={cn(
                            "px-2",
                            h.id === "select" ? "w-10 pl-4" : h.id === "actions" ? "w-12 pr-3" : undefined,
                          )}
                          aria-sort={
                            h.column.getIsSorted() === "asc"
                              ? "ascending"
                              : h.column.getIsSorted() === "desc"
                                ? "descending"
                                : undefined
                          }
                        >
                          {h.isPlaceholder ? null : h.column.getCanSort() ? (
                            <button
                              type="button"
                              onClick={h.column.getToggleSortingHandler()}
                              className="-ml-1 inline-flex items-center gap-1 rounded px-1 py-0.5 hover:text-zinc-900 dark:hover:text-zinc-100"
                              aria-label={t("common.sortBy", { column: String(h.column.columnDef.header) })}
                            >
                              {flexRender(h.column.columnDef.header, h.getContext())}
                              {h.column.getIsSorted() === "asc" ? (
                                <ArrowUp aria-hidden className="h-3 w-3" />
                              ) : h.column.getIsSorted() === "desc" ? (
                                <ArrowDown aria-hidden className="h-3 w-3" />
                              ) : (
                                <ArrowUpDown aria-hidden className="h-3 w-3 opacity-40" />
                              )}
                            </button>
                          ) : (
                            flexRender(h.column.columnDef.header, h.getContext())
                          )}
                        </TH>
                      ))}
                    </tr>
                  ))}
                </THead>
                <TBody>
                  {rows.map((row) => (
                    <TR
                      key={row.id}
                      data-state={row.getIsSelected() ? "selected" : undefined}
                      data-testid="key-row"
                      data-key-name={row.original.name}
                    >
                      {row.getVisibleCells().map((cell) => (
                        <TD
                          key={cell.id}
                          className={cn(
                            "whitespace-nowrap px-2",
                            cell.column.id === "select" && "pl-4",
                            cell.column.id === "actions" && "pr-3",
                          )}
                        >
                          {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        </TD>
                      ))}
                    </TR>
                  ))}
                </TBody>
              </Table>
            </div>
            {/* phones: one card per key */}
            <ul className="divide-y divide-zinc-100 md:hidden dark:divide-zinc-800" data-testid="keys-cards">
              {rows.map((row) => (
                <KeyCard key={row.id} row={row} actions={<RowActions keyDto={row.original} act={act} />} />
              ))}
            </ul>
          </>
        )}
        {pageCount > 1 ? (
          <div className="flex items-center justify-between gap-3 border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800">
            <span className="text-zinc-500 dark:text-zinc-400">
              {t("common.page", { page: table.getState().pagination.pageIndex + 1, pages: pageCount })}
            </span>
            <div className="flex gap-2">
              <Button
                variant="secondary"
                size="sm"
                onClick={() => table.previousPage()}
                disabled={!table.getCanPreviousPage()}
              >
                {t("common.previous")}
              </Button>
              <Button variant="secondary" size="sm" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
                {t("common.next")}
              </Button>
            </div>
          </div>
        ) : null}
      </Card>

      <KeyFormDialog
        open={formOpen}
        onOpenChange={setFormOpen}
        editing={editing}
        options={formOptions.data}
        onCreated={setRevealed}
      />
      <KeyRevealDialog keys={revealed} onClose={() => setRevealed(null)} />
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(open) => (open ? undefined : setConfirm(null))}
        pending={confirmPending}
        title={
          confirm?.kind === "delete"
            ? confirm.keys.length > 1
              ? t("keys.confirm.deleteMany.title", { count: confirm.keys.length })
              : t("keys.confirm.delete.title", { name: confirm.keys[0].name })
            : confirm?.kind === "regenerate"
              ? t("keys.confirm.regenerate.title", { name: confirm.key.name })
              : confirm?.kind === "disable"
                ? t("keys.confirm.disable.title", { name: confirm.key.name })
                : ""
        }
        body={
          confirm?.kind === "delete"
            ? confirm.keys.length > 1
              ? t("keys.confirm.deleteMany.body", { names: confirm.keys.map((k) => k.name).join(", ") })
              : t("keys.confirm.delete.body")
            : confirm?.kind === "regenerate"
              ? t("keys.confirm.regenerate.body", { masked: confirm.key.maskedKey })
              : confirm?.kind === "disable"
                ? t("keys.confirm.disable.body")
                : ""
        }
        confirmLabel={
          confirm?.kind === "regenerate"
            ? t("keys.confirm.regenerate.action")
            : confirm?.kind === "disable"
              ? t("keys.confirm.disable.action")
              : t("common.delete")
        }
        onConfirm={() => {
          if (confirm?.kind === "delete") deleteMutation.mutate(confirm.keys.map((k) => k.id));
          else if (confirm?.kind === "regenerate") regenerateMutation.mutate(confirm.key);
          else if (confirm?.kind === "disable") statusMutation.mutate({ key: confirm.key, status: 2 });
        }}
      />
    </div>
  );
}

type RowActs = { edit: (k: KeyDTO) => void; enable: (k: KeyDTO) => void; confirm: (c: Confirm) => void };

function RowActions({ keyDto, act }: { keyDto: KeyDTO; act: RowActs }) {
  const { t } = useI18n();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={t("keys.actions.menu", { name: keyDto.name })}
          data-testid="key-actions"
        >
          <Ellipsis aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuItem onSelect={() => act.edit(keyDto)}>
          <Pencil aria-hidden />
          {t("keys.actions.edit")}
        </DropdownMenuItem>
        {keyDto.status === 1 && keyDto.state === "enabled" ? (
          <DropdownMenuItem onSelect={() => act.confirm({ kind: "disable", key: keyDto })}>
            <PowerOff aria-hidden />
            {t("keys.actions.disable")}
          </DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={() => act.enable(keyDto)}>
            <Power aria-hidden />
            {t("keys.actions.enable")}
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={() => act.confirm({ kind: "regenerate", key: keyDto })}>
          <RefreshCw aria-hidden />
          {t("keys.actions.regenerate")}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem destructive onSelect={() => act.confirm({ kind: "delete", keys: [keyDto] })}>
          <Trash2 aria-hidden />
          {t("keys.actions.delete")}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function Limits({ keyDto }: { keyDto: KeyDTO }) {
  const { t } = useI18n();
  const ips = splitIpList(keyDto.allowIps);
  const models = keyDto.modelLimits;
  return (
    <div className="max-w-[9rem] text-xs leading-5">
      <p className="truncate">
        {models.length === 0 ? (
          <span className="text-zinc-500 dark:text-zinc-400">{t("keys.models.all")}</span>
        ) : models.length <= 2 ? (
          <FullList items={models} testId="key-models">
            <span className="font-mono">{models.join(", ")}</span>
          </FullList>
        ) : (
          <FullList items={models} testId="key-models">
            {t("keys.models.count", { count: models.length })}
          </FullList>
        )}
      </p>
      <p className="truncate">
        {ips.length === 0 ? (
          <span className="text-zinc-500 dark:text-zinc-400">{t("keys.ips.any")}</span>
        ) : ips.length === 1 ? (
          <FullList items={ips} testId="key-ips">
            <span className="font-mono">{ips[0]}</span>
          </FullList>
        ) : (
          <FullList items={ips} testId="key-ips">
            {t("keys.ips.count", { count: ips.length })}
          </FullList>
        )}
      </p>
    </div>
  );
}

/** A shortened list (a count, or text the cell cuts off) with the whole list in a tooltip on hover and focus. */
function FullList({ items, testId, children }: { items: string[]; testId: string; children: React.ReactNode }) {
  return (
    <Tooltip
      content={
        <ul className="font-mono" data-testid={`${testId}-full`}>
          {items.map((item) => (
            <li key={item} className="break-all">
              {item}
            </li>
          ))}
        </ul>
      }
    >
      {/* focusable, so a keyboard user gets the tooltip too; its text stays the accessible name */}
      <span
        tabIndex={0}
        data-testid={testId}
        className="cursor-help rounded-sm underline decoration-zinc-300 decoration-dotted underline-offset-2 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:decoration-zinc-600"
      >
        {children}
      </span>
    </Tooltip>
  );
}

function KeyCard({ row, actions }: { row: Row<KeyDTO>; actions: React.ReactNode }) {
  const { t } = useI18n();
  const k = row.original;
  return (
    <li
      className={cn("space-y-3 p-4", row.getIsSelected() && "bg-indigo-50/60 dark:bg-indigo-500/10")}
      data-testid="key-card"
      data-key-name={k.name}
    >
      <div className="flex items-start gap-3">
        <Checkbox
          className="mt-1"
          aria-label={t("keys.selectRow", { name: k.name })}
          checked={row.getIsSelected()}
          onCheckedChange={(v) => row.toggleSelected(v === true)}
        />
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <p className="truncate font-medium">{k.name}</p>
            <KeyStatusBadge state={k.state} />
          </div>
          <p className="mt-0.5 truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">{k.maskedKey}</p>
        </div>
        {actions}
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 pl-7 text-sm">
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("keys.col.remain")}</dt>
          <dd>{k.unlimitedQuota ? t("common.unlimited") : <Money quota={k.remainQuota} digits={4} />}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("keys.col.used")}</dt>
          <dd>
            <Money quota={k.usedQuota} digits={4} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("keys.col.expires")}</dt>
          <dd>
            {k.expiredTime === -1 ? t("common.never") : <DateTime iso={new Date(k.expiredTime * 1000).toISOString()} />}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("keys.col.lastUsed")}</dt>
          <dd>{k.accessedAt ? <RelativeTime iso={k.accessedAt} /> : t("common.never")}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("keys.col.group")}</dt>
          <dd className="truncate">{k.group || t("keys.group.own")}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">
            {t("keys.col.models")} · {t("keys.col.ips")}
          </dt>
          <dd>
            <Limits keyDto={k} />
          </dd>
        </div>
      </dl>
    </li>
  );
}
