"use client";
import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "./button";
import { Tooltip } from "./tooltip";

/** Copies `value`; the label says what (screen readers), the icon turns into a check for a moment. */
export function CopyButton({
  value,
  label,
  showText = false,
  testId,
}: {
  value: string;
  label: string;
  showText?: boolean;
  testId?: string;
}) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(t("keys.reveal.copied"));
    } catch {
      toast.error(t("common.copyFailed"));
    }
  }
  const button = (
    <Button
      variant="secondary"
      size={showText ? "sm" : "icon-sm"}
      className={showText ? "h-9" : "h-9 w-9"}
      onClick={copy}
      aria-label={label}
      data-testid={testId}
    >
      {copied ? <Check aria-hidden className="text-emerald-600" /> : <Copy aria-hidden />}
      {showText ? <span>{copied ? t("common.copied") : label}</span> : null}
    </Button>
  );
  // an icon alone: its name also shows on hover and focus
  return showText ? button : <Tooltip content={label}>{button}</Tooltip>;
}
