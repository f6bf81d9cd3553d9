"use client";
import { useQuery } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import Link from "next/link";
import { unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { KeyStatusBadge } from "@/components/keys/key-status-badge";
import { Money } from "@/components/money/money-provider";
import { buttonClass } from "@/components/ui/button";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import { adminUserKeysAction } from "@/lib/users/actions";
import type { AdminUserDTO } from "@/lib/users/admin-queries";
import { adminUserKeys } from "@/lib/users/query-keys";

/** A user's API keys, read-only: what an admin needs to answer "why does my key fail". */
export function UserKeysDialog({ user, onClose }: { user: AdminUserDTO | null; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog open={user !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="sm:max-w-2xl" data-testid="user-keys">
        {user ? (
          <>
            <DialogHeader>
              <DialogTitle>{t("adminUsers.keys.title", { name: user.username })}</DialogTitle>
              <DialogDescription>{t("adminUsers.keys.body")}</DialogDescription>
            </DialogHeader>
            <DialogBody className="space-y-4">
              <KeyList userId={user.id} />
              <Link
                href={`/admin/logs?user=${encodeURIComponent(user.username)}`}
                className={buttonClass("secondary", "sm")}
              >
                {t("adminUsers.action.logs")}
              </Link>
            </DialogBody>
          </>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

function KeyList({ userId }: { userId: number }) {
  const { t } = useI18n();
  const keys = useQuery({
    queryKey: adminUserKeys.keys(userId),
    queryFn: () => unwrap(adminUserKeysAction({ userId })),
  });
  if (keys.isPending)
    return (
      <div className="space-y-2" aria-busy="true">
        <Skeleton className="h-12 w-full" />
        <Skeleton className="h-12 w-full" />
      </div>
    );
  if (keys.isError) return <ErrorState onRetry={() => void keys.refetch()} />;
  if (keys.data.keys.length === 0) return <EmptyState icon={KeyRound} body={t("adminUsers.keys.empty")} />;
  return (
    <ul className="divide-y divide-zinc-100 rounded-xl border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
      {keys.data.keys.map((k) => (
        <li key={k.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 text-sm" data-testid="user-key">
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium">{k.name}</p>
            <p className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{k.maskedKey}</p>
          </div>
          <KeyStatusBadge state={k.state} />
          <div className="w-28 text-right text-xs">
            <p>{k.unlimitedQuota ? t("common.unlimited") : <Money quota={k.remainQuota} digits={4} />}</p>
            <p className="text-zinc-500 dark:text-zinc-400">
              {t("adminUsers.keys.used")} <Money quota={k.usedQuota} digits={4} />
            </p>
          </div>
          <div className="w-24 text-right text-xs text-zinc-500 dark:text-zinc-400">
            {k.accessedAt ? <RelativeTime iso={k.accessedAt} /> : t("common.never")}
          </div>
        </li>
      ))}
    </ul>
  );
}
