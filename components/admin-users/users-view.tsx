"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Ellipsis,
  KeyRound,
  Loader2,
  Pencil,
  Plus,
  Power,
  PowerOff,
  ScrollText,
  Search,
  UserRound,
  WalletCards,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
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
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import { adminUsersAction, updateUserAdminAction } from "@/lib/users/actions";
import type { AdminUserDTO, AdminUserPageDTO, UserFormOptionsDTO } from "@/lib/users/admin-queries";
import { adminUserKeys } from "@/lib/users/query-keys";
import { USER_SORTS, type UserSort } from "@/lib/users/schemas";
import { QuotaDialog } from "./quota-dialog";
import { RoleBadge, UserStatusBadge } from "./user-badges";
import { UserFormDialog } from "./user-form-dialog";
import { UserKeysDialog } from "./user-keys-dialog";

export type UserListParams = { q: string; sort: UserSort; dir: "asc" | "desc" };

const RANK = { user: 1, admin: 10, root: 100 } as const;

/** what the UI offers; the server decides (lib/users/roles.ts) */
const canManage = (operator: UserFormOptionsDTO["operator"], target: AdminUserDTO) =>
  operator.role === "root" || RANK[operator.role] > RANK[target.role];

const SORT_CHOICES: { sort: UserSort; dir: "asc" | "desc" }[] = USER_SORTS.flatMap((sort) => [
  { sort, dir: "desc" as const },
  { sort, dir: "asc" as const },
]);

type Dialog =
  | { kind: "create" }
  | { kind: "edit"; user: AdminUserDTO }
  | { kind: "quota"; user: AdminUserDTO }
  | { kind: "keys"; user: AdminUserDTO }
  | { kind: "disable"; user: AdminUserDTO }
  | null;

/** The users page: search, sort, keyset pages, and every admin action on a user. */
export function UsersView({
  initial,
  initialParams,
  options,
}: {
  initial: AdminUserPageDTO;
  initialParams: UserListParams;
  options: UserFormOptionsDTO;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const queryClient = useQueryClient();
  const params: UserListParams = {
    q: search.get("q") ?? "",
    sort: (USER_SORTS as readonly string[]).includes(search.get("sort") ?? "")
      ? (search.get("sort") as UserSort)
      : "id",
    dir: search.get("dir") === "asc" ? "asc" : "desc",
  };
  const [draft, setDraft] = useState(params.q);
  const [dialog, setDialog] = useState<Dialog>(null);
  const sameAsServer =
    params.q === initialParams.q && params.sort === initialParams.sort && params.dir === initialParams.dir;

  const list = useInfiniteQuery({
    queryKey: adminUserKeys.list(params),
    queryFn: ({ pageParam }) => unwrap(adminUsersAction({ ...params, after: pageParam ?? undefined })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    initialData: sameAsServer ? { pages: [initial], pageParams: [null] } : undefined,
  });
  const users = list.data?.pages.flatMap((p) => p.items) ?? [];
  const first = list.data?.pages[0];

  function navigate(next: Partial<UserListParams>) {
    const merged = { ...params, ...next };
    const q = new URLSearchParams();
    if (merged.q) q.set("q", merged.q);
    if (merged.sort !== "id") q.set("sort", merged.sort);
    if (merged.dir !== "desc") q.set("dir", merged.dir);
    router.replace(q.size ? `${pathname}?${q}` : pathname, { scroll: false });
  }

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    navigate({ q: draft.trim() });
  }

  const statusMutation = useMutation({
    mutationFn: (v: { user: AdminUserDTO; status: "enabled" | "disabled" }) =>
      unwrap(updateUserAdminAction({ id: v.user.id, status: v.status })),
    onSuccess: (u) => {
      toast.success(
        t(u.status === "enabled" ? "adminUsers.toast.enabled" : "adminUsers.toast.disabled", { name: u.username }),
      );
      setDialog(null);
      void queryClient.invalidateQueries({ queryKey: adminUserKeys.all });
    },
    onError: (e) => {
      toast.error(failureMessage(e, t("error.internal")));
      setDialog(null);
    },
  });

  const acts: RowActs = {
    open: setDialog,
    enable: (user) => statusMutation.mutate({ user, status: "enabled" }),
    canManage: (user) => canManage(options.operator, user),
  };

  return (
    <div className="space-y-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("adminUsers.title")}</h1>
          <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{t("adminUsers.subtitle")}</p>
        </div>
        <Button onClick={() => setDialog({ kind: "create" })}>
          <Plus aria-hidden />
          {t("adminUsers.create")}
        </Button>
      </div>

      <Card className="overflow-hidden">
        <div className="flex flex-col gap-3 border-b border-zinc-200 p-3 sm:flex-row sm:items-center sm:px-4 dark:border-zinc-800">
          <form onSubmit={submitSearch} className="flex flex-1 gap-2" role="search">
            <div className="relative flex-1">
              <Search
                aria-hidden
                className="pointer-events-none absolute inset-y-0 left-3 my-auto h-4 w-4 text-zinc-400"
              />
              <Input
                className="h-9 pl-9"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                placeholder={t("adminUsers.searchPlaceholder")}
                aria-label={t("adminUsers.search")}
                data-testid="user-search"
                maxLength={100}
              />
            </div>
            <Button type="submit" variant="secondary" size="sm" className="h-9">
              {t("adminUsers.search")}
            </Button>
          </form>
          <Select
            value={`${params.sort}:${params.dir}`}
            onValueChange={(v) => {
              const [sort, dir] = v.split(":") as [UserSort, "asc" | "desc"];
              navigate({ sort, dir });
            }}
          >
            <SelectTrigger className="h-9 sm:w-60" aria-label={t("adminUsers.sort")} data-testid="user-sort">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {SORT_CHOICES.map((c) => (
                <SelectItem key={`${c.sort}:${c.dir}`} value={`${c.sort}:${c.dir}`}>
                  {t(`adminUsers.sort.${c.sort}.${c.dir}`)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>

        {list.isError ? (
          <ErrorState onRetry={() => void list.refetch()} />
        ) : list.isPending ? (
          <div className="space-y-2 p-4" aria-busy="true">
            {Array.from({ length: 6 }, (_, i) => (
              <Skeleton key={i} className="h-12 w-full" />
            ))}
          </div>
        ) : users.length === 0 ? (
          <EmptyState
            icon={UserRound}
            body={params.q ? t("adminUsers.emptySearch", { q: params.q }) : t("adminUsers.empty")}
            action={
              params.q ? (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    setDraft("");
                    navigate({ q: "" });
                  }}
                >
                  {t("adminUsers.clearSearch")}
                </Button>
              ) : undefined
            }
          />
        ) : (
          <>
            <div className="hidden md:block" data-testid="users-table">
              <Table>
                <THead>
                  <tr>
                    <TH className="pl-4">{t("adminUsers.col.user")}</TH>
                    <TH>{t("adminUsers.col.role")}</TH>
                    <TH>{t("adminUsers.col.group")}</TH>
                    <TH className="text-right" aria-sort={sortAria(params, "quota")}>
                      {t("adminUsers.col.balance")}
                    </TH>
                    <TH className="text-right" aria-sort={sortAria(params, "usedQuota")}>
                      {t("adminUsers.col.used")}
                    </TH>
                    <TH aria-sort={sortAria(params, "lastLogin")}>{t("adminUsers.col.lastLogin")}</TH>
                    <TH className="w-12 pr-3">
                      <span className="sr-only">{t("common.actions")}</span>
                    </TH>
                  </tr>
                </THead>
                <TBody>
                  {users.map((u) => (
                    <TR key={u.id} data-testid="user-row" data-username={u.username}>
                      <TD className="pl-4">
                        <UserCell user={u} />
                      </TD>
                      <TD>
                        <div className="flex flex-col items-start gap-1">
                          <RoleBadge role={u.role} />
                          {u.status === "disabled" ? <UserStatusBadge status={u.status} /> : null}
                        </div>
                      </TD>
                      <TD className="font-mono text-xs">{u.group}</TD>
                      <TD className="text-right whitespace-nowrap">
                        <Money quota={u.quota} digits={4} testId="user-balance" />
                      </TD>
                      <TD className="text-right whitespace-nowrap">
                        <Money quota={u.usedQuota} digits={4} />
                        <p className="text-xs text-zinc-500 dark:text-zinc-400">
                          {t("adminUsers.requests", { count: Number(u.requestCount).toLocaleString() })}
                        </p>
                      </TD>
                      <TD className="whitespace-nowrap">
                        {u.lastLoginAt ? (
                          <RelativeTime iso={u.lastLoginAt} />
                        ) : (
                          <span className="text-zinc-500 dark:text-zinc-400">{t("common.never")}</span>
                        )}
                      </TD>
                      <TD className="pr-3">
                        <RowActions user={u} acts={acts} />
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            </div>
            <ul className="divide-y divide-zinc-100 md:hidden dark:divide-zinc-800" data-testid="users-cards">
              {users.map((u) => (
                <li key={u.id} className="space-y-3 p-4" data-testid="user-card" data-username={u.username}>
                  <div className="flex items-start gap-3">
                    <div className="min-w-0 flex-1">
                      <UserCell user={u} />
                    </div>
                    <RowActions user={u} acts={acts} />
                  </div>
                  <div className="flex flex-wrap items-center gap-2">
                    <RoleBadge role={u.role} />
                    <UserStatusBadge status={u.status} />
                    <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{u.group}</span>
                  </div>
                  <dl className="grid grid-cols-3 gap-2 text-sm">
                    <div>
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("adminUsers.col.balance")}</dt>
                      <dd>
                        <Money quota={u.quota} digits={2} />
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("adminUsers.col.used")}</dt>
                      <dd>
                        <Money quota={u.usedQuota} digits={2} />
                      </dd>
                    </div>
                    <div>
                      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{t("adminUsers.col.lastLogin")}</dt>
                      <dd className="truncate">
                        {u.lastLoginAt ? <RelativeTime iso={u.lastLoginAt} /> : t("common.never")}
                      </dd>
                    </div>
                  </dl>
                </li>
              ))}
            </ul>
          </>
        )}
        {first && users.length > 0 ? (
          <div className="flex items-center justify-between gap-3 border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800">
            <span className="text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="user-count">
              {t("adminUsers.shown", {
                shown: users.length,
                total: first.capped ? `${first.total.toLocaleString()}+` : first.total.toLocaleString(),
              })}
            </span>
            {list.hasNextPage ? (
              <Button
                variant="secondary"
                size="sm"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? <Loader2 aria-hidden className="animate-spin" /> : null}
                {t("adminUsers.more")}
              </Button>
            ) : null}
          </div>
        ) : null}
      </Card>

      <UserFormDialog
        open={dialog?.kind === "create" || dialog?.kind === "edit"}
        onOpenChange={(open) => (open ? undefined : setDialog(null))}
        editing={dialog?.kind === "edit" ? dialog.user : null}
        options={options}
      />
      <QuotaDialog user={dialog?.kind === "quota" ? dialog.user : null} onClose={() => setDialog(null)} />
      <UserKeysDialog user={dialog?.kind === "keys" ? dialog.user : null} onClose={() => setDialog(null)} />
      <ConfirmDialog
        open={dialog?.kind === "disable"}
        onOpenChange={(open) => (open ? undefined : setDialog(null))}
        pending={statusMutation.isPending}
        title={dialog?.kind === "disable" ? t("adminUsers.confirmDisable.title", { name: dialog.user.username }) : ""}
        body={t("adminUsers.confirmDisable.body")}
        confirmLabel={t("adminUsers.action.disable")}
        onConfirm={() => {
          if (dialog?.kind === "disable") statusMutation.mutate({ user: dialog.user, status: "disabled" });
        }}
      />
    </div>
  );
}

function sortAria(params: UserListParams, sort: UserSort) {
  if (params.sort !== sort) return undefined;
  return params.dir === "asc" ? ("ascending" as const) : ("descending" as const);
}

function UserCell({ user }: { user: AdminUserDTO }) {
  return (
    <div className="min-w-0">
      <p className="flex items-center gap-2 font-medium">
        <span className="max-w-[12rem] truncate" title={user.username}>
          {user.username}
        </span>
        <span className="text-xs font-normal text-zinc-400 tabular-nums">#{user.id}</span>
      </p>
      <p className="max-w-[16rem] truncate text-xs text-zinc-500 dark:text-zinc-400">
        {[user.displayName !== user.username ? user.displayName : null, user.email || null]
          .filter(Boolean)
          .join(" · ") || "\u00a0"}
      </p>
    </div>
  );
}

type RowActs = {
  open: (d: Dialog) => void;
  enable: (u: AdminUserDTO) => void;
  canManage: (u: AdminUserDTO) => boolean;
};

function RowActions({ user, acts }: { user: AdminUserDTO; acts: RowActs }) {
  const { t } = useI18n();
  const manage = acts.canManage(user);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={t("adminUsers.actionsFor", { name: user.username })}
          data-testid="user-actions"
        >
          <Ellipsis aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuItem disabled={!manage} onSelect={() => acts.open({ kind: "edit", user })}>
          <Pencil aria-hidden />
          {t("adminUsers.action.edit")}
        </DropdownMenuItem>
        <DropdownMenuItem disabled={!manage} onSelect={() => acts.open({ kind: "quota", user })}>
          <WalletCards aria-hidden />
          {t("adminUsers.action.quota")}
        </DropdownMenuItem>
        {user.status === "enabled" ? (
          <DropdownMenuItem disabled={!manage} onSelect={() => acts.open({ kind: "disable", user })}>
            <PowerOff aria-hidden />
            {t("adminUsers.action.disable")}
          </DropdownMenuItem>
        ) : (
          <DropdownMenuItem disabled={!manage} onSelect={() => acts.enable(user)}>
            <Power aria-hidden />
            {t("adminUsers.action.enable")}
          </DropdownMenuItem>
        )}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => acts.open({ kind: "keys", user })}>
          <KeyRound aria-hidden />
          {t("adminUsers.action.keys")}
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <Link href={`/admin/logs?user=${encodeURIComponent(user.username)}`}>
            <ScrollText aria-hidden />
            {t("adminUsers.action.logs")}
          </Link>
        </DropdownMenuItem>
        {!manage ? (
          <p className="max-w-56 px-2 py-1.5 text-xs text-zinc-500 dark:text-zinc-400">
            {t("adminUsers.cannotManage")}
          </p>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
