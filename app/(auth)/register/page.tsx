import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { RegisterForm } from "@/components/auth/register-form";
import { getSessionUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { getOptions } from "@/lib/options/service";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("register.title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RegisterPage({ searchParams }: { searchParams: SearchParams }) {
  if (await getSessionUser()) redirect("/dashboard");
  const [{ aff }, { RegisterEnabled }] = await Promise.all([searchParams, getOptions()]);
  const affCode = (Array.isArray(aff) ? aff[0] : aff)?.trim().slice(0, 32) ?? "";
  return <RegisterForm enabled={RegisterEnabled} affCode={affCode} />;
}
