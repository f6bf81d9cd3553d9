"use client";
import { Menu, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Dialog as D } from "radix-ui";
import { useState, type ReactNode } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "@/components/ui/cn";
import { NavIcon } from "./icons";
import { LanguageSwitch } from "./language-switch";
import { ADMIN_NAV, USER_NAV, type NavItem } from "./nav";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

export type ShellUser = { username: string; role: number };

const roleKey = (role: number) =>
  role >= 100 ? "shell.role.root" : role >= 10 ? "shell.role.admin" : "shell.role.user";

function NavLinks({ items, pathname, onNavigate }: { items: NavItem[]; pathname: string; onNavigate?: () => void }) {
  const t = useT();
  return (
    <ul className="space-y-0.5">
      {items.map((item) => {
        const active = pathname === item.href || (!item.exact && pathname.startsWith(`${item.href}/`));
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors",
                active
                  ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300"
                  : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/70 dark:hover:text-zinc-100",
              )}
            >
              <NavIcon name={item.icon} className="h-5 w-5 shrink-0" />
              {t(item.label)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

function Brand() {
  const t = useT();
  return (
    <Link href="/dashboard" className="flex items-center gap-2.5 font-semibold tracking-tight">
      <span
        aria-hidden
        className="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-sm font-bold text-white"
      >
        T
      </span>
      <span>{t("app.name")}</span>
    </Link>
  );
}

function Sidebar({ admin, pathname, onNavigate }: { admin: boolean; pathname: string; onNavigate?: () => void }) {
  const t = useT();
  return (
    <nav aria-label={t("nav.main")} className="flex flex-1 flex-col gap-6 overflow-y-auto px-3 py-4">
      <NavLinks items={USER_NAV} pathname={pathname} onNavigate={onNavigate} />
      {admin ? (
        <div>
          <p className="px-3 pb-2 text-xs font-semibold uppercase tracking-wider text-zinc-400 dark:text-zinc-500">
            {t("nav.admin")}
          </p>
          <NavLinks items={ADMIN_NAV} pathname={pathname} onNavigate={onNavigate} />
        </div>
      ) : null}
    </nav>
  );
}

/** The signed-in frame: sidebar navigation (a drawer on phones), header with language, theme and account. */
export function AppShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const t = useT();
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  const admin = user.role >= 10;

  return (
    <div className="min-h-dvh">
      {/* desktop sidebar */}
      <aside className="fixed inset-y-0 left-0 z-30 hidden w-60 flex-col border-r border-zinc-200 bg-white lg:flex dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex h-16 items-center px-6">
          <Brand />
        </div>
        <Sidebar admin={admin} pathname={pathname} />
      </aside>

      {/* phone drawer: a Radix dialog (focus trapped, Escape and the backdrop close it) */}
      <D.Root open={menuOpen} onOpenChange={setMenuOpen}>
        <D.Portal>
          <D.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 backdrop-blur-sm lg:hidden" />
          <D.Content className="fixed inset-y-0 left-0 z-50 flex h-full w-72 max-w-[85%] flex-col bg-white shadow-xl outline-none lg:hidden dark:bg-zinc-900">
            <D.Title className="sr-only">{t("nav.main")}</D.Title>
            <D.Description className="sr-only">{t("app.tagline")}</D.Description>
            <div className="flex h-16 items-center justify-between px-5">
              <Brand />
              <D.Close
                aria-label={t("nav.closeMenu")}
                className="grid h-9 w-9 place-items-center rounded-lg text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
              >
                <X aria-hidden className="h-5 w-5" />
              </D.Close>
            </div>
            <Sidebar admin={admin} pathname={pathname} onNavigate={() => setMenuOpen(false)} />
          </D.Content>
        </D.Portal>
      </D.Root>

      <div className="lg:pl-60">
        <header className="sticky top-0 z-20 flex h-16 items-center gap-2 border-b border-zinc-200 bg-white/85 px-4 backdrop-blur sm:px-6 dark:border-zinc-800 dark:bg-zinc-900/85">
          <button
            type="button"
            aria-label={t("nav.openMenu")}
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen(true)}
            className="-ml-1 grid h-9 w-9 place-items-center rounded-lg text-zinc-600 hover:bg-zinc-100 lg:hidden dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <Menu aria-hidden className="h-5 w-5" />
          </button>
          <div className="lg:hidden">
            <Brand />
          </div>
          <div className="ml-auto flex items-center gap-1.5 sm:gap-2">
            <LanguageSwitch />
            <ThemeToggle />
            <div className="ml-1 hidden items-center gap-2 border-l border-zinc-200 pl-3 sm:flex dark:border-zinc-800">
              <div className="text-right leading-tight">
                <p className="sr-only">{t("shell.signedInAs")}</p>
                <p className="max-w-[10rem] truncate text-sm font-medium" data-testid="shell-username">
                  {user.username}
                </p>
                <p className="text-xs text-zinc-500 dark:text-zinc-400">{t(roleKey(user.role))}</p>
              </div>
              <SignOutButton />
            </div>
          </div>
        </header>
        {/* phones: the account strip sits under the header */}
        <div className="flex items-center justify-between gap-3 border-b border-zinc-200 bg-white px-4 py-2 sm:hidden dark:border-zinc-800 dark:bg-zinc-900">
          <p className="min-w-0 truncate text-sm">
            <span className="text-zinc-500 dark:text-zinc-400">{t("shell.signedInAs")} </span>
            <span className="font-medium" data-testid="shell-username-mobile">
              {user.username}
            </span>
          </p>
          <SignOutButton />
        </div>
        <main className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">{children}</main>
      </div>
    </div>
  );
}
