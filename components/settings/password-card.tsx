"use client";
import { useMutation } from "@tanstack/react-query";
import { KeyRound, Loader2 } from "lucide-react";
import { signOut } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { failureMessage, failureFieldErrors, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { changePasswordAction } from "@/lib/users/actions";
import type { TChangePasswordForm } from "@/lib/users/schemas";

const EMPTY: TChangePasswordForm = { currentPassword: "", newPassword: "", confirmPassword: "" };

const FIELDS = [
  { name: "currentPassword", label: "field.currentPassword", autoComplete: "current-password" },
  { name: "newPassword", label: "field.newPassword", autoComplete: "new-password" },
  { name: "confirmPassword", label: "field.confirmPassword", autoComplete: "new-password" },
] as const;

/**
 * The password change. A success ends every session of the user, this one included (the server
 * bumped auth_version), so the browser signs out and lands on the sign-in page with a notice.
 */
export function PasswordCard() {
  const { t } = useI18n();
  const [form, setForm] = useState<TChangePasswordForm>(EMPTY);
  const set = (k: keyof TChangePasswordForm, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const change = useMutation({
    mutationFn: (input: TChangePasswordForm) => unwrap(changePasswordAction(input)),
    onSuccess: () => {
      setForm(EMPTY);
      void signOut({ callbackUrl: "/login?passwordChanged=1" });
    },
    // field errors are shown next to their fields; a toast is for the rest
    onError: (e) => {
      if (Object.keys(failureFieldErrors(e)).length === 0) toast.error(failureMessage(e, t("error.internal")));
    },
  });
  const errors = failureFieldErrors(change.error);
  const busy = change.isPending || change.isSuccess;

  function submit(e: FormEvent) {
    e.preventDefault();
    change.mutate(form);
  }

  return (
    <Card>
      <CardHeader className="pb-0 sm:pb-0">
        <div>
          <CardTitle className="flex items-center gap-2">
            <KeyRound aria-hidden className="h-4 w-4 text-indigo-600 dark:text-indigo-400" />
            {t("settings.password.title")}
          </CardTitle>
          <CardDescription>{t("settings.password.body")}</CardDescription>
        </div>
      </CardHeader>
      <form onSubmit={submit} noValidate className="space-y-5 p-5 sm:p-6" data-testid="password-form">
        <div className="grid gap-4 sm:grid-cols-3">
          {FIELDS.map(({ name, label, autoComplete }) => (
            <FormField
              key={name}
              label={t(label)}
              error={errors[name]}
              hint={name === "newPassword" && !errors[name] ? t("settings.password.newHint") : undefined}
            >
              {(c) => (
                <Input
                  {...c}
                  type="password"
                  name={name}
                  value={form[name]}
                  onChange={(e) => set(name, e.target.value)}
                  autoComplete={autoComplete}
                />
              )}
            </FormField>
          ))}
        </div>
        <div className="flex justify-end">
          <Button type="submit" disabled={busy} aria-busy={busy || undefined} className="w-full sm:w-auto">
            {busy ? <Loader2 aria-hidden className="animate-spin" /> : null}
            {busy ? t("settings.password.saving") : t("settings.password.save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
