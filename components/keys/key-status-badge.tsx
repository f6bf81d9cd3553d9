"use client";
import { useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import type { KeyState } from "@/lib/keys/schemas";

const TONE = { enabled: "success", disabled: "neutral", expired: "warning", exhausted: "danger" } as const;

export function KeyStatusBadge({ state }: { state: KeyState }) {
  const t = useT();
  return (
    <Badge tone={TONE[state]} data-testid="key-status">
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {t(`keys.status.${state}`)}
    </Badge>
  );
}
