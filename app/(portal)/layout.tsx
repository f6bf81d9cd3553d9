import type { ReactNode } from "react";
import { MoneyProvider } from "@/components/money/money-provider";
import { AppShell } from "@/components/shell/app-shell";
import { getOptions } from "@/lib/options/service";
import { displayOf } from "@/lib/quota/money";
import { requireUser } from "@/lib/auth";

// Pages under this layout call requireUser() themselves as well: layouts and pages render in
// parallel, so the layout's check alone does not guard a page's data.
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const [user, options] = await Promise.all([requireUser(), getOptions()]);
  return (
    <MoneyProvider display={displayOf(options)}>
      <AppShell user={{ username: user.username, role: user.role }}>{children}</AppShell>
    </MoneyProvider>
  );
}
