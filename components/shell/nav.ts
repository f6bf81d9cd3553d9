import type { MessageKey } from "@/lib/i18n";

/** `exact`: active on that path only (the admin overview, /admin, is the parent of every admin page) */
export type NavItem = { href: string; label: MessageKey; icon: IconName; exact?: boolean };
export type IconName =
  "home" | "key" | "list" | "wallet" | "cog" | "users" | "server" | "ticket" | "sliders" | "gauge" | "history";

export const USER_NAV: NavItem[] = [
  { href: "/dashboard", label: "nav.dashboard", icon: "home" },
  { href: "/keys", label: "nav.keys", icon: "key" },
  { href: "/logs", label: "nav.logs", icon: "list" },
  { href: "/wallet", label: "nav.wallet", icon: "wallet" },
  { href: "/settings", label: "nav.settings", icon: "cog" },
];

export const ADMIN_NAV: NavItem[] = [
  { href: "/admin", label: "nav.admin.overview", icon: "gauge", exact: true },
  { href: "/admin/users", label: "nav.admin.users", icon: "users" },
  { href: "/admin/logs", label: "nav.admin.logs", icon: "list" },
  { href: "/admin/channels", label: "nav.admin.channels", icon: "server" },
  { href: "/admin/redemptions", label: "nav.admin.redemptions", icon: "ticket" },
  { href: "/admin/settings", label: "nav.admin.settings", icon: "sliders" },
  { href: "/admin/audit", label: "nav.admin.audit", icon: "history" },
];
