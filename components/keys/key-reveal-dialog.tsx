"use client";
import { TriangleAlert } from "lucide-react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import type { CreatedKey } from "@/lib/keys/service";

/**
 * The only place a full key is ever shown: after create or regenerate. It closes only through
 * its button (not a click outside, not Escape), so nobody loses a key by a stray click.
 */
export function KeyRevealDialog({ keys, onClose }: { keys: CreatedKey[] | null; onClose: () => void }) {
  const t = useT();
  const open = keys !== null && keys.length > 0;
  const all = (keys ?? []).map((k) => k.key).join("\n");
  return (
    <Dialog open={open} onOpenChange={(next) => (next ? undefined : onClose())}>
      <DialogContent
        hideClose
        className="sm:max-w-xl"
        onInteractOutside={(e) => e.preventDefault()}
        onEscapeKeyDown={(e) => e.preventDefault()}
        data-testid="key-reveal"
      >
        <DialogHeader>
          <DialogTitle>
            {keys && keys.length > 1 ? t("keys.reveal.titleMany", { count: keys.length }) : t("keys.reveal.title")}
          </DialogTitle>
          <DialogDescription className="flex gap-2 rounded-lg bg-amber-50 p-3 text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
            <TriangleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
            <span>{t("keys.reveal.warning")}</span>
          </DialogDescription>
        </DialogHeader>
        <DialogBody className="space-y-3">
          {(keys ?? []).map((k) => (
            <div key={k.id} className="space-y-1.5">
              <p className="truncate text-sm font-medium">{k.name}</p>
              <div className="flex gap-2">
                <input
                  readOnly
                  value={k.key}
                  aria-label={k.name}
                  data-testid="revealed-key"
                  onFocus={(e) => e.currentTarget.select()}
                  className="h-9 min-w-0 flex-1 rounded-lg border border-zinc-200 bg-zinc-50 px-3 font-mono text-xs text-zinc-800 sm:text-sm dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200"
                />
                <CopyButton value={k.key} label={t("keys.reveal.copy", { name: k.name })} testId="copy-revealed-key" />
              </div>
            </div>
          ))}
        </DialogBody>
        <DialogFooter>
          {keys && keys.length > 1 ? <CopyButton value={all} label={t("keys.reveal.copyAll")} showText /> : null}
          <Button onClick={onClose}>{t("keys.reveal.done")}</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
