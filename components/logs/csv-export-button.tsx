"use client";
import { Download, Loader2, X } from "lucide-react";
import { useRef, useState } from "react";
import { toast } from "sonner";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import type { LogFilters } from "@/lib/logs/filters";
import type { LogViewScope } from "@/lib/logs/query-keys";

// The CSV of exactly the filtered logs: GET /api/logs/export streams it; the body is read chunk by
// chunk so the page can say how far it got (rows so far, and a percentage when the server's
// estimate is exact), then saved as the file the server named. The bytes are kept as they came,
// BOM included, so spreadsheets read Chinese text as UTF-8.

const NEWLINE = 10;

function exportUrl(scope: LogViewScope, filters: LogFilters, timeZone: string): string {
  const q = new URLSearchParams({ scope, tz: timeZone });
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  return `/api/logs/export?${q}`;
}

function fileNameOf(disposition: string | null): string {
  const star = disposition && /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = disposition && /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : "logs.csv";
}

type Progress = { rows: number; estimate: number | null };

export function CsvExportButton({
  scope,
  filters,
  disabled,
}: {
  scope: LogViewScope;
  filters: LogFilters;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [progress, setProgress] = useState<Progress | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function run() {
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ rows: 0, estimate: null });
    try {
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
      const res = await fetch(exportUrl(scope, filters, timeZone), { signal: controller.signal });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { message?: string } | null;
        throw new Error(body?.message || t("logs.export.failed"));
      }
      const estimateHeader = res.headers.get("X-Rows-Estimate");
      const capped = res.headers.get("X-Rows-Estimate-Capped") === "1";
      const estimate = estimateHeader && !capped ? Number(estimateHeader) : null;
      const reader = res.body.getReader();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let lines = 0;
      let lastPaint = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value as Uint8Array<ArrayBuffer>);
        for (let i = 0; i < value.length; i++) if (value[i] === NEWLINE) lines++;
        const now = performance.now();
        if (now - lastPaint > 100) {
          lastPaint = now;
          // the first line is the header
          setProgress({ rows: Math.max(lines - 1, 0), estimate });
        }
      }
      const rows = Math.max(lines - 1, 0);
      setProgress({ rows, estimate });
      const blob = new Blob(chunks, { type: "text/csv;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = fileNameOf(res.headers.get("Content-Disposition"));
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toast.success(t("logs.export.done", { rows: rows.toLocaleString("en-US") }));
    } catch (e) {
      if (controller.signal.aborted) toast.info(t("logs.export.cancelled"));
      else toast.error(e instanceof Error && e.message ? e.message : t("logs.export.failed"));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  }

  const pct =
    progress?.estimate && progress.estimate > 0
      ? Math.min(100, Math.floor((progress.rows / progress.estimate) * 100))
      : null;

  return (
    <div className="flex items-center gap-2">
      {progress ? (
        <>
          <div className="flex min-w-0 flex-col items-end gap-1" role="status" data-testid="export-progress">
            <span className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
              {pct !== null
                ? t("logs.export.progressPct", { rows: progress.rows.toLocaleString("en-US"), pct })
                : t("logs.export.progress", { rows: progress.rows.toLocaleString("en-US") })}
            </span>
            {pct !== null ? (
              <span className="h-1 w-28 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800" aria-hidden>
                <span className="block h-full bg-indigo-500" style={{ width: `${pct}%` }} />
              </span>
            ) : null}
          </div>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={t("logs.export.cancel")}
            onClick={() => abort.current?.abort()}
          >
            <X aria-hidden />
          </Button>
        </>
      ) : null}
      <Button variant="secondary" size="sm" onClick={() => void run()} disabled={disabled || progress !== null}>
        {progress ? <Loader2 aria-hidden className="animate-spin" /> : <Download aria-hidden />}
        {t("logs.export.button")}
      </Button>
    </div>
  );
}
