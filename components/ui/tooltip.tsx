"use client";
import { Tooltip as T } from "radix-ui";
import type { ReactNode } from "react";

export const TooltipProvider = T.Provider;

/** A hint on hover and keyboard focus; the trigger keeps its own accessible name (aria-label). */
export function Tooltip({
  content,
  children,
  side = "top",
}: {
  content: ReactNode;
  children: ReactNode;
  side?: "top" | "bottom" | "left" | "right";
}) {
  return (
    <T.Root>
      <T.Trigger asChild>{children}</T.Trigger>
      <T.Portal>
        <T.Content
          side={side}
          sideOffset={6}
          className="z-50 max-w-xs rounded-md bg-zinc-900 px-2.5 py-1.5 text-xs text-white shadow-md dark:bg-zinc-100 dark:text-zinc-900"
        >
          {content}
          <T.Arrow className="fill-zinc-900 dark:fill-zinc-100" />
        </T.Content>
      </T.Portal>
    </T.Root>
  );
}
