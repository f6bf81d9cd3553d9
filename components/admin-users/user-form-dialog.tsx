"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ActionFailure, failureFieldErrors, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
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
import { Input, Textarea } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { createUserAdminAction, updateUserAdminAction } from "@/lib/users/actions";
import type { AdminUserDTO, UserFormOptionsDTO } from "@/lib/users/admin-queries";
import { adminUserKeys } from "@/lib/users/query-keys";
import type { RoleName } from "@/lib/users/schemas";

type FormState = {
  username: string;
  password: string;
  displayName: string;
  email: string;
  group: string;
  role: RoleName;
  enabled: boolean;
  remark: string;
};

const FIELDS = ["username", "password", "displayName", "email", "group", "role", "status", "remark"];

/** Create a user, or edit one (display name, email, group, role, status, remark). */
export function UserFormDialog({
  open,
  onOpenChange,
  editing,
  options,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  editing: AdminUserDTO | null;
  options: UserFormOptionsDTO;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-xl" data-testid="user-form">
        {open ? <UserForm editing={editing} options={options} onDone={() => onOpenChange(false)} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function UserForm({
  editing,
  options,
  onDone,
}: {
  editing: AdminUserDTO | null;
  options: UserFormOptionsDTO;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => ({
    username: editing?.username ?? "",
    password: "",
    displayName: editing?.displayName ?? "",
    email: editing?.email ?? "",
    group:
      editing?.group ??
      (options.groups.some((g) => g.name === "default") ? "default" : (options.groups[0]?.name ?? "")),
    role: editing?.role ?? "user",
    enabled: editing ? editing.status === "enabled" : true,
    remark: editing?.remark ?? "",
  }));
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const isSelf = editing?.id === options.operator.id;
  // the roles offered: those the operator may give, and the user's own (shown, not changeable)
  const roles: RoleName[] = [...new Set([...(editing ? [editing.role] : []), ...options.roles])];
  const roleLocked = isSelf || (editing !== null && !options.roles.includes(editing.role));

  const mutation = useMutation({
    mutationFn: async (f: FormState) => {
      if (editing) {
        return unwrap(
          updateUserAdminAction({
            id: editing.id,
            displayName: f.displayName,
            email: f.email,
            group: f.group,
            ...(roleLocked ? {} : { role: f.role }),
            status: f.enabled ? "enabled" : "disabled",
            remark: f.remark,
          }),
        );
      }
      return unwrap(
        createUserAdminAction({
          username: f.username,
          password: f.password,
          displayName: f.displayName,
          email: f.email,
          group: f.group,
          role: f.role,
          remark: f.remark,
        }),
      );
    },
    onSuccess: (u) => {
      void queryClient.invalidateQueries({ queryKey: adminUserKeys.all });
      toast.success(t(editing ? "adminUsers.toast.updated" : "adminUsers.toast.created", { name: u.username }));
      onDone();
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

  const groupKnown = options.groups.some((g) => g.name === form.group);

  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-1 flex-col">
      <DialogHeader>
        <DialogTitle>
          {editing ? t("adminUsers.form.editTitle", { name: editing.username }) : t("adminUsers.form.createTitle")}
        </DialogTitle>
        <DialogDescription>
          {editing ? t("adminUsers.form.editBody") : t("adminUsers.form.createBody")}
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="space-y-4">
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        {editing ? null : (
          <div className="grid gap-4 sm:grid-cols-2">
            <FormField label={t("field.username")} error={errors.username}>
              {(c) => (
                <Input
                  {...c}
                  name="username"
                  autoComplete="off"
                  value={form.username}
                  onChange={(e) => set("username", e.target.value)}
                />
              )}
            </FormField>
            <FormField label={t("field.password")} error={errors.password} hint={t("adminUsers.form.passwordHint")}>
              {(c) => (
                <Input
                  {...c}
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  value={form.password}
                  onChange={(e) => set("password", e.target.value)}
                />
              )}
            </FormField>
          </div>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.displayName")} error={errors.displayName} labelAside={t("common.optional")}>
            {(c) => (
              <Input
                {...c}
                name="displayName"
                value={form.displayName}
                onChange={(e) => set("displayName", e.target.value)}
              />
            )}
          </FormField>
          <FormField label={t("field.email")} error={errors.email} labelAside={t("common.optional")}>
            {(c) => (
              <Input
                {...c}
                name="email"
                type="email"
                autoComplete="off"
                value={form.email}
                onChange={(e) => set("email", e.target.value)}
              />
            )}
          </FormField>
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.group")} error={errors.group}>
            {(c) => (
              <Select value={form.group} onValueChange={(v) => set("group", v)}>
                <SelectTrigger {...c} data-testid="user-group">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {options.groups.map((g) => (
                    <SelectItem key={g.name} value={g.name}>
                      {g.name}
                      {g.ratio !== null ? ` · ×${g.ratio}` : ""}
                      {g.description && g.description !== g.name ? ` · ${g.description}` : ""}
                    </SelectItem>
                  ))}
                  {form.group && !groupKnown ? <SelectItem value={form.group}>{form.group}</SelectItem> : null}
                </SelectContent>
              </Select>
            )}
          </FormField>
          <FormField
            label={t("field.role")}
            error={errors.role}
            hint={isSelf ? t("adminUsers.form.ownRole") : roleLocked ? t("adminUsers.form.rootOnly") : undefined}
          >
            {(c) => (
              <Select value={form.role} onValueChange={(v) => set("role", v as RoleName)} disabled={roleLocked}>
                <SelectTrigger {...c} data-testid="user-role-select">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {roles.map((r) => (
                    <SelectItem key={r} value={r}>
                      {t(`shell.role.${r}`)}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </FormField>
        </div>
        {editing ? (
          <label className="flex items-start justify-between gap-4 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
            <span>
              <span className="block text-sm font-medium">{t("adminUsers.form.enabled")}</span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">{t("adminUsers.form.enabledHint")}</span>
              {errors.status ? (
                <span className="block text-sm text-red-600 dark:text-red-400">{errors.status}</span>
              ) : null}
            </span>
            <Switch
              checked={form.enabled}
              onCheckedChange={(v) => set("enabled", v)}
              aria-label={t("adminUsers.form.enabled")}
              disabled={isSelf}
            />
          </label>
        ) : null}
        <FormField label={t("field.remark")} error={errors.remark} hint={t("adminUsers.form.remarkHint")}>
          {(c) => (
            <Textarea
              {...c}
              name="remark"
              rows={2}
              value={form.remark}
              onChange={(e) => set("remark", e.target.value)}
            />
          )}
        </FormField>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onClick={onDone} disabled={busy}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" disabled={busy} aria-busy={busy || undefined}>
          {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
          {editing ? t("common.save") : t("adminUsers.form.submitCreate")}
        </Button>
      </DialogFooter>
    </form>
  );
}
