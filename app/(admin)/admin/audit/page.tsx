import type { Metadata } from "next";
import { AuditView } from "@/components/admin-audit/audit-view";
import { requireAdmin } from "@/lib/auth";
import { ZAuditListInput } from "@/lib/audit/schemas";
import { listAdminAudits } from "@/lib/audit/service";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("nav.admin.audit") };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const sp = await searchParams;
  const raw = {
    operator: one(sp.operator) ?? "",
    action: one(sp.action) ?? "",
    targetType: one(sp.targetType) ?? "",
    targetId: one(sp.targetId) ?? "",
  };
  // a filter the schema refuses (a hand-edited URL) is shown as it was typed, with no rows read for it
  const parsed = ZAuditListInput.safeParse(raw);
  const initial = parsed.success ? await listAdminAudits(parsed.data) : { items: [], nextCursor: null };
  return <AuditView initial={initial} initialFilters={raw} invalid={!parsed.success} />;
}
