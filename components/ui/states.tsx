"use client";
import { AlertCircle, type LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "./button";
import { cn } from "./cn";

/** What a list shows when it has nothing: what is missing and what to do next. */
export function EmptyState({
  icon: Icon,
  title,
  body,
  action,
  className,
}: {
  icon: LucideIcon;
  title?: ReactNode;
  body: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex flex-col items-center gap-3 px-6 py-12 text-center", className)}>
      <span className="grid h-12 w-12 place-items-center rounded-full bg-indigo-50 text-indigo-600 dark:bg-indigo-500/10 dark:text-indigo-300">
        <Icon aria-hidden className="h-6 w-6" />
      </span>
      {title ? <p className="text-base font-semibold">{title}</p> : null}
      <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">{body}</p>
      {action}
    </div>
  );
}

/** What a list shows when it could not load: a message and a retry. */
export function ErrorState({
  onRetry,
  message,
  className,
}: {
  onRetry: () => void;
  message?: ReactNode;
  className?: string;
}) {
  const t = useT();
  return (
    <div role="alert" className={cn("flex flex-col items-center gap-3 px-6 py-10 text-center", className)}>
      <AlertCircle aria-hidden className="h-8 w-8 text-red-500" />
      <p className="max-w-sm text-sm text-zinc-700 dark:text-zinc-300">{message ?? t("common.loadFailed")}</p>
      <Button variant="secondary" size="sm" onClick={onRetry}>
        {t("common.retry")}
      </Button>
    </div>
  );
}
