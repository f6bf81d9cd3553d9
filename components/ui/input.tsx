import type { InputHTMLAttributes, TextareaHTMLAttributes } from "react";
import { cn } from "./cn";

const base = [
  "block w-full rounded-lg border bg-white px-3 text-base text-zinc-900 shadow-sm transition-colors sm:text-sm",
  "placeholder:text-zinc-400 focus:outline-none focus:ring-2 disabled:cursor-not-allowed disabled:bg-zinc-100 disabled:text-zinc-500",
  "dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:disabled:bg-zinc-800/60",
  "border-zinc-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-zinc-700",
  "aria-invalid:border-red-400 aria-invalid:focus:border-red-500 aria-invalid:focus:ring-red-500/30 dark:aria-invalid:border-red-500/70",
];

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(base, "h-10", className)} {...props} />;
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cn(base, "min-h-20 py-2", className)} {...props} />;
}

/** An amount typed in the display unit: its currency symbol (if any) shown inside the field. */
export function AmountInput({
  symbol,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { symbol?: string | null }) {
  return (
    <div className="relative">
      {symbol ? (
        <span
          aria-hidden
          className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500"
        >
          {symbol}
        </span>
      ) : null}
      <Input inputMode="decimal" autoComplete="off" className={cn(symbol ? "pl-7" : undefined, className)} {...props} />
    </div>
  );
}
