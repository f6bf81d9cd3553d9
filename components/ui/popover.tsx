"use client";
import { Popover as P } from "radix-ui";
import type { ComponentProps } from "react";
import { cn } from "./cn";

export const Popover = P.Root;
export const PopoverTrigger = P.Trigger;

export function PopoverContent({
  className,
  align = "start",
  sideOffset = 6,
  ...props
}: ComponentProps<typeof P.Content>) {
  return (
    <P.Portal>
      <P.Content
        align={align}
        sideOffset={sideOffset}
        className={cn(
          "z-50 w-[var(--radix-popover-trigger-width)] min-w-64 rounded-xl border border-zinc-200 bg-white p-2 shadow-lg outline-none dark:border-zinc-800 dark:bg-zinc-900",
          className,
        )}
        {...props}
      />
    </P.Portal>
  );
}
