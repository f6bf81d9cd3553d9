import { ComingSoon, comingSoonMetadata } from "@/components/shell/coming-soon";
import { requireUser } from "@/lib/auth";

export const generateMetadata = () => comingSoonMetadata("nav.wallet");

export default async function Page() {
  await requireUser();
  return <ComingSoon title="nav.wallet" />;
}
