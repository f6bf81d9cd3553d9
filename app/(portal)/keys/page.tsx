import type { Metadata } from "next";
import { KeysView } from "@/components/keys/keys-view";
import { requireUser } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { getKeyFormOptions, listKeys } from "@/lib/keys/queries";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("keys.title") };
}

export default async function KeysPage() {
  const user = await requireUser();
  const [keys, options] = await Promise.all([listKeys(user.id), getKeyFormOptions(user)]);
  return <KeysView initial={keys} initialOptions={options} />;
}
