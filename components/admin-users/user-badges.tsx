"use client";
import { useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import type { AdminUserDTO } from "@/lib/users/admin-queries";

const ROLE_TONE = { user: "neutral", admin: "info", root: "warning" } as const;

export function RoleBadge({ role }: { role: AdminUserDTO["role"] }) {
  const t = useT();
  return (
    <Badge tone={ROLE_TONE[role]} data-testid="user-role">
      {t(`shell.role.${role}`)}
    </Badge>
  );
}

export function UserStatusBadge({ status }: { status: AdminUserDTO["status"] }) {
  const t = useT();
  return (
    <Badge tone={status === "enabled" ? "success" : "danger"} data-testid="user-status">
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {t(`adminUsers.status.${status}`)}
    </Badge>
  );
}
