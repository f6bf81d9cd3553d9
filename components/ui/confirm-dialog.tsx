"use client";
import { AlertDialog as A } from "radix-ui";
import { Loader2 } from "lucide-react";
import type { ReactNode } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { buttonVariants } from "./button";
import { cn } from "./cn";
import { overlayClass, panelClass } from "./dialog";

/**
 * The confirmation every destructive action asks for (Radix AlertDialog: focus starts on Cancel,
 * Escape cancels, a click outside does nothing). The dialog stays open while `pending`.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  body,
  confirmLabel,
  onConfirm,
  pending = false,
  destructive = true,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  body: ReactNode;
  confirmLabel: ReactNode;
  onConfirm: () => void;
  pending?: boolean;
  destructive?: boolean;
}) {
  const t = useT();
  return (
    <A.Root open={open} onOpenChange={(next) => (pending ? undefined : onOpenChange(next))}>
      <A.Portal>
        <A.Overlay className={overlayClass} />
        <A.Content className={cn(panelClass, "sm:max-w-md")}>
          <div className="space-y-2 px-5 pb-2 pt-5 sm:px-6 sm:pt-6">
            <A.Title className="text-lg font-semibold tracking-tight">{title}</A.Title>
            <A.Description className="break-words text-sm text-zinc-600 dark:text-zinc-400">{body}</A.Description>
          </div>
          <div className="flex flex-col-reverse gap-2 px-5 py-4 sm:flex-row sm:justify-end sm:px-6">
            <A.Cancel className={buttonVariants({ variant: "secondary" })} disabled={pending}>
              {t("common.cancel")}
            </A.Cancel>
            <button
              type="button"
              className={buttonVariants({ variant: destructive ? "danger" : "primary" })}
              disabled={pending}
              aria-busy={pending || undefined}
              onClick={onConfirm}
            >
              {pending ? <Loader2 aria-hidden className="animate-spin" /> : null}
              {confirmLabel}
            </button>
          </div>
        </A.Content>
      </A.Portal>
    </A.Root>
  );
}
