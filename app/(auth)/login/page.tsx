import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { getSessionUser } from "@/lib/auth";
import { safeNextPath } from "@/lib/auth/next-path";
import { configuredOrigin } from "@/lib/http/public-origin";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("login.title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNextPath(one(params.next), configuredOrigin());
  if (await getSessionUser()) redirect(next);
  const notice = one(params.registered)
    ? "registered"
    : one(params.passwordChanged)
      ? "passwordChanged"
      : one(params.signedOut)
        ? "signedOut"
        : null;
  return (
    <LoginForm
      notice={notice}
      initialError={one(params.error) ?? null}
      initialUsername={one(params.username) ?? ""}
      next={next}
    />
  );
}
