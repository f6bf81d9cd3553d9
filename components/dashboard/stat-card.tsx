import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";

export function StatCard({
  label,
  value,
  hint,
  testId,
  className,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <Card className={cn("p-4 sm:p-5", className)}>
      <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <p
        className="mt-1.5 truncate text-xl font-semibold tabular-nums tracking-tight sm:mt-2 sm:text-3xl"
        data-testid={testId}
      >
        {value}
      </p>
      {hint ? <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p> : null}
    </Card>
  );
}
