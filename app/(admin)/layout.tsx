import type { ReactNode } from "react";
import { MoneyProvider } from "@/components/money/money-provider";
import { AppShell } from "@/components/shell/app-shell";
import { getOptions } from "@/lib/options/service";
import { displayOf } from "@/lib/quota/money";
import { requireAdmin } from "@/lib/auth";

// Every admin page also calls requireAdmin() itself (layouts and pages render in parallel), and
// every admin action and route handler checks the role again: hiding links is never the check.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const [user, options] = await Promise.all([requireAdmin(), getOptions()]);
  return (
    <MoneyProvider display={displayOf(options)}>
      <AppShell user={{ username: user.username, role: user.role }}>{children}</AppShell>
    </MoneyProvider>
  );
}
