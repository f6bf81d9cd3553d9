import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireUser } from "@/lib/auth";

// Pages under this layout call requireUser() themselves as well: layouts and pages render in
// parallel, so the layout's check alone does not guard a page's data.
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return <AppShell user={{ username: user.username, role: user.role }}>{children}</AppShell>;
}
