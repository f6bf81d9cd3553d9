"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { registerAction } from "@/lib/users/actions";
import { AuthCard } from "./auth-card";
import { useHydrated } from "./use-hydrated";

type Errors = { form?: string; fields: Record<string, string | undefined> };

export function RegisterForm({ enabled, affCode }: { enabled: boolean; affCode: string }) {
  const t = useT();
  const router = useRouter();
  const hydrated = useHydrated();
  const [errors, setErrors] = useState<Errors>({ fields: {} });
  const [status, setStatus] = useState<"idle" | "pending" | "signing-in">("idle");

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
      confirmPassword: String(form.get("confirmPassword") ?? ""),
      affCode,
    };
    setStatus("pending");
    setErrors({ fields: {} });
    let result: Awaited<ReturnType<typeof registerAction>>;
    try {
      result = await registerAction(input);
    } catch {
      setErrors({ form: t("error.internal"), fields: {} });
      setStatus("idle");
      return;
    }
    if (!result.ok) {
      const fields = Object.fromEntries(Object.entries(result.error.fieldErrors ?? {}).map(([k, v]) => [k, v[0]]));
      // the summary repeats nothing the fields already say
      const shownByField = Object.values(fields).includes(result.error.message);
      setErrors({ form: shownByField ? undefined : result.error.message, fields });
      setStatus("idle");
      return;
    }
    setStatus("signing-in");
    const res = await signIn("credentials", {
      redirect: false,
      username: result.data.username,
      password: input.password,
    }).catch(() => null);
    if (res?.ok && !res.error) {
      router.replace("/dashboard");
      router.refresh();
    } else {
      router.replace(`/login?registered=1&username=${encodeURIComponent(result.data.username)}`);
    }
  }

  if (!enabled) {
    return (
      <AuthCard title={t("register.title")} footer={<SignInLink />}>
        <Alert tone="info" testId="register-closed">
          {t("register.closed")}
        </Alert>
      </AuthCard>
    );
  }

  const busy = status !== "idle";
  return (
    <AuthCard title={t("register.title")} subtitle={t("register.subtitle")} footer={<SignInLink />}>
      <form method="post" onSubmit={onSubmit} noValidate className="space-y-4">
        {affCode ? <Alert tone="info">{t("register.invited", { code: affCode })}</Alert> : null}
        {status === "signing-in" ? <Alert tone="success">{t("register.success")}</Alert> : null}
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Field
          label={t("field.username")}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          error={errors.fields.username}
        />
        <Field
          label={t("field.password")}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          error={errors.fields.password}
        />
        <Field
          label={t("field.confirmPassword")}
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          error={errors.fields.confirmPassword}
        />
        {errors.fields.affCode ? <Alert tone="error">{errors.fields.affCode}</Alert> : null}
        <Button type="submit" className="w-full" disabled={!hydrated || busy}>
          {busy ? t("register.submitting") : t("register.submit")}
        </Button>
      </form>
    </AuthCard>
  );
}

function SignInLink() {
  const t = useT();
  return (
    <>
      {t("register.haveAccount")}{" "}
      <Link href="/login" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        {t("register.signIn")}
      </Link>
    </>
  );
}
