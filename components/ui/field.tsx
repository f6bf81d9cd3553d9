import { useId, type InputHTMLAttributes } from "react";
import { cn } from "./cn";

/** A labelled text input with its error message (announced, and tied to the input for screen readers). */
export function Field({
  label,
  error,
  hint,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cn(
          "block h-10 w-full rounded-lg border bg-white px-3 text-base text-zinc-900 shadow-sm transition-colors sm:text-sm",
          "placeholder:text-zinc-400 focus:outline-none focus:ring-2 dark:bg-zinc-900 dark:text-zinc-100",
          error
            ? "border-red-400 focus:border-red-500 focus:ring-red-500/30 dark:border-red-500/70"
            : "border-zinc-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-zinc-700",
        )}
        {...props}
      />
      {hint && !error ? (
        <p id={hintId} className="text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
