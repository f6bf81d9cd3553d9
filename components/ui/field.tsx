"use client";
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { cn } from "./cn";
import { Input } from "./input";

export type ControlProps = { id: string; "aria-invalid"?: true; "aria-describedby"?: string };

/**
 * A labelled control with its hint and its error (announced, and tied to the control for screen
 * readers). `children` renders the control with the ids and ARIA attributes it must carry.
 */
export function FormField({
  label,
  error,
  hint,
  className,
  labelAside,
  children,
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  /** e.g. "optional", or a live value, shown at the label's right */
  labelAside?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("space-y-1.5", className)}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
          {label}
        </label>
        {labelAside ? <span className="text-xs text-zinc-500 dark:text-zinc-400">{labelAside}</span> : null}
      </div>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {hint ? (
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

/** A labelled text input with its error message (the sign-in and sign-up forms). */
export function Field({
  label,
  error,
  hint,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  return (
    <FormField label={label} error={error} hint={hint} className={className}>
      {(control) => <Input {...control} {...props} />}
    </FormField>
  );
}
