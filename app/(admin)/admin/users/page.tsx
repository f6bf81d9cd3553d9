import type { Metadata } from "next";
import { UsersView, type UserListParams } from "@/components/admin-users/users-view";
import { requireAdmin } from "@/lib/auth";
import { getTranslator } from "@/lib/i18n/server";
import { getUserFormOptions, listAdminUsers } from "@/lib/users/admin-queries";
import { USER_SORTS, type UserSort } from "@/lib/users/schemas";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("adminUsers.title") };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireAdmin();
  const sp = await searchParams;
  const sort = one(sp.sort);
  const params: UserListParams = {
    q: (one(sp.q) ?? "").trim().slice(0, 100),
    sort: (USER_SORTS as readonly string[]).includes(sort ?? "") ? (sort as UserSort) : "id",
    dir: one(sp.dir) === "asc" ? "asc" : "desc",
  };
  const [initial, options] = await Promise.all([listAdminUsers(params), getUserFormOptions(user)]);
  return <UsersView initial={initial} initialParams={params} options={options} />;
}
