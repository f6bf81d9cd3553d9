import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireAdmin } from "@/lib/auth";

// Every admin page also calls requireAdmin() itself (layouts and pages render in parallel), and
// every admin action and route handler checks the role again: hiding links is never the check.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireAdmin();
  return <AppShell user={{ username: user.username, role: user.role }}>{children}</AppShell>;
}
