import { ComingSoon, comingSoonMetadata } from "@/components/shell/coming-soon";
import { requireAdmin } from "@/lib/auth";

export const generateMetadata = () => comingSoonMetadata("nav.admin.users");

export default async function Page() {
  await requireAdmin();
  return <ComingSoon title="nav.admin.users" />;
}
