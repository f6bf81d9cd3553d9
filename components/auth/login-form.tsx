"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { safeNextPath } from "@/lib/auth/next-path";
import { AuthCard } from "./auth-card";
import { loginErrorText } from "./login-messages";
import { useHydrated } from "./use-hydrated";

export type LoginNotice = "registered" | "signedOut" | "passwordChanged";

const NOTICE_TEXT = {
  registered: "login.registered",
  signedOut: "login.signedOut",
  passwordChanged: "login.passwordChanged",
} as const;

export function LoginForm({
  notice,
  initialError,
  initialUsername,
  next,
}: {
  notice: LoginNotice | null;
  initialError: string | null;
  initialUsername: string;
  next: string | null;
}) {
  const t = useT();
  const router = useRouter();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const username = String(form.get("username") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!username || !password) {
      setError("missing");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const res = await signIn("credentials", { redirect: false, username, password });
      if (res?.ok && !res.error) {
        // checked on the server already; again here, against the origin the browser is on
        router.replace(safeNextPath(next, window.location.origin));
        router.refresh();
        return; // stay "pending" while the dashboard loads
      }
      setError(res?.error ?? "error");
    } catch {
      setError("error");
    }
    setPending(false);
  }

  const errorText = error === "missing" ? t("login.error.missing") : loginErrorText(t, error);

  return (
    <AuthCard
      title={t("login.title")}
      subtitle={t("login.subtitle")}
      footer={
        <>
          {t("login.noAccount")}{" "}
          <Link href="/register" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            {t("login.register")}
          </Link>
        </>
      }
    >
      <form method="post" onSubmit={onSubmit} noValidate className="space-y-4">
        {notice && !errorText ? <Alert tone="success">{t(NOTICE_TEXT[notice])}</Alert> : null}
        {errorText ? <Alert tone="error">{errorText}</Alert> : null}
        <Field
          label={t("field.username")}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          defaultValue={initialUsername}
          required
        />
        <Field label={t("field.password")} name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" className="w-full" disabled={!hydrated || pending}>
          {pending ? t("login.submitting") : t("login.submit")}
        </Button>
      </form>
    </AuthCard>
  );
}
