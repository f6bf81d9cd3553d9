import { Card } from "@/components/ui/card";

export function StatCard({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <Card className="p-5">
      <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className="mt-2 truncate text-2xl font-semibold tabular-nums tracking-tight sm:text-3xl" data-testid={testId} title={value}>
        {value}
      </p>
      {hint ? <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p> : null}
    </Card>
  );
}
