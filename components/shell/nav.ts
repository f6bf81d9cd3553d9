import type { MessageKey } from "@/lib/i18n";

export type NavItem = { href: string; label: MessageKey; icon: IconName };
export type IconName = "home" | "key" | "list" | "wallet" | "cog" | "users" | "server" | "ticket" | "sliders";

export const USER_NAV: NavItem[] = [
  { href: "/dashboard", label: "nav.dashboard", icon: "home" },
  { href: "/keys", label: "nav.keys", icon: "key" },
  { href: "/logs", label: "nav.logs", icon: "list" },
  { href: "/wallet", label: "nav.wallet", icon: "wallet" },
  { href: "/settings", label: "nav.settings", icon: "cog" },
];

export const ADMIN_NAV: NavItem[] = [
  { href: "/admin/users", label: "nav.admin.users", icon: "users" },
  { href: "/admin/logs", label: "nav.admin.logs", icon: "list" },
  { href: "/admin/channels", label: "nav.admin.channels", icon: "server" },
  { href: "/admin/redemptions", label: "nav.admin.redemptions", icon: "ticket" },
  { href: "/admin/settings", label: "nav.admin.settings", icon: "sliders" },
];
