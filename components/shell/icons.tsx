import {
  Gauge,
  History,
  KeyRound,
  LayoutDashboard,
  ScrollText,
  Server,
  Settings,
  SlidersHorizontal,
  Ticket,
  Users,
  Wallet,
  type LucideIcon,
} from "lucide-react";
import type { IconName } from "./nav";

const ICONS: Record<IconName, LucideIcon> = {
  home: LayoutDashboard,
  key: KeyRound,
  list: ScrollText,
  wallet: Wallet,
  cog: Settings,
  users: Users,
  server: Server,
  ticket: Ticket,
  sliders: SlidersHorizontal,
  gauge: Gauge,
  history: History,
};

export function NavIcon({ name, className }: { name: IconName; className?: string }) {
  const Icon = ICONS[name];
  return <Icon aria-hidden className={className} strokeWidth={1.8} />;
}
