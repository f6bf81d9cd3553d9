"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Ellipsis, Loader2, Pencil, Plus, Power, PowerOff, Server, Trash2, Zap } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import {
  deleteChannelsAction,
  listAdminChannelsAction,
  setChannelStatusAction,
  testChannelAction,
} from "@/lib/channels/actions";
import type { AdminChannelDto } from "@/lib/channels/queries";
import { channelKeys } from "@/lib/channels/query-keys";
import { ChannelFormDialog } from "./channel-form-dialog";

type Confirm = { kind: "delete" | "disable"; channel: AdminChannelDto } | null;

const STATUS_TONE = { 1: "success", 2: "neutral", 3: "warning" } as const;

/** The admin's channels: list with usage and health, add/edit, enable/disable, delete, test. */
export function ChannelsView({ initial }: { initial: AdminChannelDto[] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: channelKeys.adminList(),
    queryFn: () => unwrap(listAdminChannelsAction({})),
    initialData: initial,
  });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<AdminChannelDto | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [testing, setTesting] = useState<number | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: channelKeys.all });

  const statusMutation = useMutation({
    mutationFn: (v: { channel: AdminChannelDto; status: 1 | 2 }) =>
      unwrap(setChannelStatusAction({ id: v.channel.id, status: v.status })),
    onSuccess: (_d, v) => toast.success(v.status === 1 ? t("channels.toast.enabled") : t("channels.toast.disabled")),
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
    onSettled: () => {
      setConfirm(null);
      void invalidate();
    },
  });
  const deleteMutation = useMutation({
    mutationFn: (c: AdminChannelDto) => unwrap(deleteChannelsAction({ ids: [c.id] })),
    onSuccess: () => toast.success(t("channels.toast.deleted")),
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
    onSettled: () => {
      setConfirm(null);
      void invalidate();
    },
  });

  async function test(c: AdminChannelDto) {
    setTesting(c.id);
    try {
      const r = await unwrap(testChannelAction({ id: c.id, model: c.models[0] ?? null }));
      if (r.ok) {
        toast.success(
          r.chatLatencyMs !== null
            ? t("channels.test.okChat", { name: c.name, ms: r.latencyMs, chatMs: r.chatLatencyMs })
            : t("channels.test.ok", { name: c.name, ms: r.latencyMs, count: r.models }),
        );
      } else {
        toast.error(t("channels.test.failed", { name: c.name, step: r.step, ms: r.latencyMs, error: r.error }));
      }
    } catch (e) {
      toast.error(failureMessage(e, t("error.internal")));
    } finally {
      setTesting(null);
      void invalidate();
    }
  }

  const acts: RowActs = {
    edit: (c) => {
      setEditing(c);
      setFormOpen(true);
    },
    enable: (c) => statusMutation.mutate({ channel: c, status: 1 }),
    confirm: setConfirm,
    test,
    testing,
  };
  const channels = list.data;
  const openCreate = () => {
    setEditing(null);
    setFormOpen(true);
  };

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("channels.title")}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{t("channels.subtitle")}</p>
        </div>
        <Button onClick={openCreate}>
          <Plus aria-hidden />
          {t("channels.create")}
        </Button>
      </div>
      <Card className="overflow-hidden">
        {list.isError ? (
          <ErrorState onRetry={() => void list.refetch()} />
        ) : channels.length === 0 ? (
          <EmptyState icon={Server} title={t("channels.empty.title")} body={t("channels.empty.body")} />
        ) : (
          <>
            <div className="hidden lg:block" data-testid="channels-table">
              <Table>
                <THead>
                  <tr>
                    <TH className="pl-4">{t("channels.col.name")}</TH>
                    <TH>{t("channels.col.status")}</TH>
                    <TH>{t("channels.col.models")}</TH>
                    <TH>{t("channels.col.groups")}</TH>
                    <TH className="text-right whitespace-nowrap">
                      {t("channels.col.priority")} · {t("channels.col.weight")}
                    </TH>
                    <TH className="text-right">{t("channels.col.used")}</TH>
                    <TH className="text-right">{t("channels.col.requests")}</TH>
                    <TH>{t("channels.col.lastError")}</TH>
                    <TH className="w-12 pr-3">
                      <span className="sr-only">{t("common.actions")}</span>
                    </TH>
                  </tr>
                </THead>
                <TBody>
                  {channels.map((c) => (
                    <TR key={c.id} data-testid="channel-row" data-channel-name={c.name}>
                      <TD className="pl-4">
                        <p className="flex max-w-[12rem] items-center gap-1.5 font-medium" title={c.name}>
                          <span className="truncate">{c.name}</span>
                          <DialectBadge dialect={c.dialect} />
                        </p>
                        <p className="max-w-[12rem] truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">
                          {c.baseUrl}
                        </p>
                      </TD>
                      <TD>
                        <StatusBadge status={c.status} />
                      </TD>
                      <TD>
                        <NameList names={c.models} />
                      </TD>
                      <TD>
                        <NameList names={c.groups} />
                      </TD>
                      <TD className="text-right tabular-nums">
                        {c.priority} · {c.weight}
                      </TD>
                      <TD className="text-right">
                        <Money quota={c.usedQuota} digits={4} />
                      </TD>
                      <TD className="text-right tabular-nums">{BigInt(c.requestCount).toLocaleString("en-US")}</TD>
                      <TD>
                        <LastError c={c} />
                      </TD>
                      <TD className="pr-3">
                        <RowActions c={c} acts={acts} compact />
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            </div>
            <ul className="divide-y divide-zinc-100 lg:hidden dark:divide-zinc-800" data-testid="channels-cards">
              {channels.map((c) => (
                <li key={c.id} className="space-y-3 p-4" data-testid="channel-card">
                  <div className="flex items-start gap-3">
                    <div className="min-w-0 flex-1">
                      <div className="flex items-center gap-2">
                        <p className="truncate font-medium">{c.name}</p>
                        <StatusBadge status={c.status} />
                        <DialectBadge dialect={c.dialect} />
                      </div>
                      <p className="mt-0.5 truncate font-mono text-xs text-zinc-500 dark:text-zinc-400">{c.baseUrl}</p>
                    </div>
                    <RowActions c={c} acts={acts} />
                  </div>
                  <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
                    <Item label={t("channels.col.models")}>
                      <NameList names={c.models} />
                    </Item>
                    <Item label={t("channels.col.groups")}>
                      <NameList names={c.groups} />
                    </Item>
                    <Item label={`${t("channels.col.priority")} · ${t("channels.col.weight")}`}>
                      {c.priority} · {c.weight}
                    </Item>
                    <Item label={`${t("channels.col.used")} · ${t("channels.col.requests")}`}>
                      <Money quota={c.usedQuota} digits={4} /> · {BigInt(c.requestCount).toLocaleString("en-US")}
                    </Item>
                    <Item label={t("channels.col.lastError")} wide>
                      <LastError c={c} />
                    </Item>
                  </dl>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
      <ChannelFormDialog open={formOpen} onOpenChange={setFormOpen} editing={editing} />
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(open) => (open ? undefined : setConfirm(null))}
        pending={statusMutation.isPending || deleteMutation.isPending}
        title={
          confirm
            ? t(confirm.kind === "delete" ? "channels.confirm.delete.title" : "channels.confirm.disable.title", {
                name: confirm.channel.name,
              })
            : ""
        }
        body={
          confirm ? t(confirm.kind === "delete" ? "channels.confirm.delete.body" : "channels.confirm.disable.body") : ""
        }
        confirmLabel={confirm?.kind === "disable" ? t("channels.actions.disable") : t("common.delete")}
        onConfirm={() => {
          if (confirm?.kind === "delete") deleteMutation.mutate(confirm.channel);
          else if (confirm?.kind === "disable") statusMutation.mutate({ channel: confirm.channel, status: 2 });
        }}
      />
    </div>
  );
}

type RowActs = {
  edit: (c: AdminChannelDto) => void;
  enable: (c: AdminChannelDto) => void;
  confirm: (c: Confirm) => void;
  test: (c: AdminChannelDto) => void;
  testing: number | null;
};

/** `compact`: the test button is an icon (the wide table), else it says what it does */
function RowActions({ c, acts, compact = false }: { c: AdminChannelDto; acts: RowActs; compact?: boolean }) {
  const { t } = useI18n();
  const busy = acts.testing === c.id;
  return (
    <div className="flex items-center justify-end gap-1">
      <Button
        variant="secondary"
        size={compact ? "icon-sm" : "sm"}
        onClick={() => acts.test(c)}
        disabled={busy}
        aria-label={`${t("channels.actions.test")} ${c.name}`}
        title={t("channels.actions.test")}
        data-testid="channel-test"
      >
        {busy ? <Loader2 aria-hidden className="animate-spin" /> : <Zap aria-hidden />}
        {compact ? null : busy ? t("channels.test.running") : t("channels.actions.test")}
      </Button>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={t("channels.actions.menu", { name: c.name })}>
            <Ellipsis aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent>
          <DropdownMenuItem onSelect={() => acts.edit(c)}>
            <Pencil aria-hidden />
            {t("channels.actions.edit")}
          </DropdownMenuItem>
          {c.status === 1 ? (
            <DropdownMenuItem onSelect={() => acts.confirm({ kind: "disable", channel: c })}>
              <PowerOff aria-hidden />
              {t("channels.actions.disable")}
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem onSelect={() => acts.enable(c)}>
              <Power aria-hidden />
              {t("channels.actions.enable")}
            </DropdownMenuItem>
          )}
          <DropdownMenuSeparator />
          <DropdownMenuItem destructive onSelect={() => acts.confirm({ kind: "delete", channel: c })}>
            <Trash2 aria-hidden />
            {t("channels.actions.delete")}
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </div>
  );
}

function StatusBadge({ status }: { status: number }) {
  const { t } = useI18n();
  const s = (status === 1 || status === 2 || status === 3 ? status : 2) as 1 | 2 | 3;
  return <Badge tone={STATUS_TONE[s]}>{t(`channels.status.${s}`)}</Badge>;
}

function NameList({ names }: { names: string[] }) {
  const shown = names.slice(0, 2).join(", ");
  return (
    <span className="block max-w-[9rem] truncate font-mono text-xs" title={names.join(", ")}>
      {shown}
      {names.length > 2 ? ` +${names.length - 2}` : ""}
    </span>
  );
}

function LastError({ c }: { c: AdminChannelDto }) {
  const { t } = useI18n();
  if (!c.lastError) return <span className="text-xs text-zinc-500 dark:text-zinc-400">{t("channels.noError")}</span>;
  return (
    <span className="block max-w-[10rem] text-xs" title={c.lastError} data-testid="channel-last-error">
      <span className="block truncate text-red-700 dark:text-red-300">{c.lastError}</span>
      {c.lastErrorAt ? (
        <span className="text-zinc-500 dark:text-zinc-400">
          <RelativeTime iso={c.lastErrorAt} />
        </span>
      ) : null}
    </span>
  );
}

function Item({ label, children, wide }: { label: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "col-span-2 min-w-0" : "min-w-0"}>
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

/** an Anthropic channel is marked; OpenAI is what every channel spoke before dialects existed */
function DialectBadge({ dialect }: { dialect: AdminChannelDto["dialect"] }) {
  const { t } = useI18n();
  if (dialect !== "anthropic") return null;
  return (
    <Badge tone="info" title={t("channels.dialect.anthropic")} data-testid="channel-dialect-badge">
      Anthropic
    </Badge>
  );
}
