"use client";
import { Check, Minus } from "lucide-react";
import { Checkbox as C } from "radix-ui";
import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Checkbox({ className, ...props }: ComponentProps<typeof C.Root>) {
  return (
    <C.Root
      className={cn(
        "peer grid h-4 w-4 shrink-0 place-items-center rounded border border-zinc-400 bg-white shadow-sm",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-50",
        "data-[state=checked]:border-indigo-600 data-[state=checked]:bg-indigo-600 data-[state=checked]:text-white",
        "data-[state=indeterminate]:border-indigo-600 data-[state=indeterminate]:bg-indigo-600 data-[state=indeterminate]:text-white",
        "dark:border-zinc-600 dark:bg-zinc-900",
        className,
      )}
      {...props}
    >
      <C.Indicator>
        {props.checked === "indeterminate" ? (
          <Minus aria-hidden className="h-3 w-3" />
        ) : (
          <Check aria-hidden className="h-3 w-3" />
        )}
      </C.Indicator>
    </C.Root>
  );
}
