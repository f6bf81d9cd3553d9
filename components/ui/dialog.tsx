"use client";
import { X } from "lucide-react";
import { Dialog as D } from "radix-ui";
import type { ComponentProps, HTMLAttributes } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { cn } from "./cn";

// Radix Dialog in the shadcn style: focus is trapped inside, Escape and the close button close
// it, the title and description name it for screen readers. On phones it is a sheet from the
// bottom that scrolls; from `sm` up a centred panel.

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;
export const DialogClose = D.Close;

export const overlayClass = "fixed inset-0 z-50 bg-zinc-950/50 backdrop-blur-[2px]";

export const panelClass = cn(
  "fixed inset-x-0 bottom-0 z-50 flex max-h-[92dvh] flex-col rounded-t-2xl border border-zinc-200 bg-white shadow-xl outline-none",
  "sm:inset-x-auto sm:bottom-auto sm:left-1/2 sm:top-1/2 sm:max-h-[88dvh] sm:w-full sm:-translate-x-1/2 sm:-translate-y-1/2 sm:rounded-2xl",
  "dark:border-zinc-800 dark:bg-zinc-900",
);

export function DialogContent({
  className,
  children,
  hideClose = false,
  ...props
}: ComponentProps<typeof D.Content> & { hideClose?: boolean }) {
  const t = useT();
  return (
    <D.Portal>
      <D.Overlay className={overlayClass} />
      <D.Content className={cn(panelClass, "sm:max-w-lg", className)} {...props}>
        {children}
        {hideClose ? null : (
          <D.Close
            aria-label={t("common.close")}
            className="absolute right-3 top-3 grid h-8 w-8 place-items-center rounded-lg text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <X aria-hidden className="h-4 w-4" />
          </D.Close>
        )}
      </D.Content>
    </D.Portal>
  );
}

export function DialogHeader({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("space-y-1.5 px-5 pb-2 pt-5 pr-12 sm:px-6 sm:pt-6", className)} {...props} />;
}

/** the scrolling middle of a long dialog (a form) */
export function DialogBody({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("min-h-0 flex-1 overflow-y-auto px-5 py-3 sm:px-6", className)} {...props} />;
}

export function DialogFooter({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      className={cn(
        "flex flex-col-reverse gap-2 border-t border-zinc-100 px-5 py-4 sm:flex-row sm:justify-end sm:px-6 dark:border-zinc-800",
        className,
      )}
      {...props}
    />
  );
}

export function DialogTitle({ className, ...props }: ComponentProps<typeof D.Title>) {
  return <D.Title className={cn("text-lg font-semibold tracking-tight", className)} {...props} />;
}

export function DialogDescription({ className, ...props }: ComponentProps<typeof D.Description>) {
  return <D.Description className={cn("text-sm text-zinc-600 dark:text-zinc-400", className)} {...props} />;
}
