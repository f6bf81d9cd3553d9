"use client";
import { AlertTriangle, CheckCircle2 } from "lucide-react";
import { useMemo } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Money } from "@/components/money/money-provider";
import { Badge } from "@/components/ui/badge";
import { explainCharge } from "@/lib/logs/explain";
import type { AdminLogRowDTO, LogRowDTO } from "@/lib/logs/rows";
import { LOG_TYPE } from "@/lib/quota/row-types";

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 10 });

function Item({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 break-words font-mono text-sm tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/**
 * What a log row's expansion shows: how it was priced — the stored inputs, the tokens and where
 * they came from, the formula evaluated, and the charged integer, recomputed here in the browser
 * with the server's computeQuota (lib/logs/explain.ts) and flagged when the two differ.
 */
export function ChargeExplanation({ row, admin }: { row: LogRowDTO | AdminLogRowDTO; admin: boolean }) {
  const { t } = useI18n();
  const explained = useMemo(() => explainCharge(row), [row]);
  const other = row.other;
  const usageSource = typeof other.usage_source === "string" ? other.usage_source : null;
  const a = admin ? (row as AdminLogRowDTO) : null;

  return (
    <div className="space-y-4 text-sm" data-testid="log-details">
      {row.type === LOG_TYPE.consume ? (
        explained ? (
          <section aria-label={t("logs.explain.title")} className="space-y-3" data-testid="charge-explanation">
            <h3 className="text-sm font-semibold">{t("logs.explain.title")}</h3>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4">
              <Item label={t("logs.explain.mode")} testId="explain-mode">
                {t(explained.inputs.mode === "price" ? "logs.explain.mode.price" : "logs.explain.mode.ratio")}
              </Item>
              {explained.inputs.mode === "price" ? (
                <Item label={t("logs.explain.modelPrice")} testId="explain-model-price">
                  ${fmt(explained.inputs.modelPrice)}
                </Item>
              ) : (
                <>
                  <Item label={t("logs.explain.modelRatio")} testId="explain-model-ratio">
                    {fmt(explained.inputs.modelRatio)}
                  </Item>
                  <Item label={t("logs.explain.completionRatio")} testId="explain-completion-ratio">
                    {fmt(explained.inputs.completionRatio)}
                  </Item>
                  <Item label={t("logs.explain.cacheRatio")} testId="explain-cache-ratio">
                    {fmt(explained.inputs.cacheRatio)}
                  </Item>
                </>
              )}
              <Item label={t("logs.explain.groupRatio")} testId="explain-group-ratio">
                {fmt(explained.inputs.groupRatio)}
                {explained.inputs.userGroupRatio !== -1 ? (
                  <span className="ml-1 font-sans text-xs text-zinc-500">{t("logs.explain.userGroupRatio")}</span>
                ) : null}
              </Item>
              <Item label={t("logs.explain.quotaPerUnit")}>{fmt(explained.inputs.quotaPerUnit)}</Item>
              <Item label={t("logs.tokens.prompt")} testId="explain-prompt">
                {fmt(explained.usage.promptTokens)}
              </Item>
              <Item label={t("logs.tokens.completion")} testId="explain-completion">
                {fmt(explained.usage.completionTokens)}
              </Item>
              <Item label={t("logs.tokens.cached")} testId="explain-cached">
                {fmt(explained.usage.cachedTokens)}
              </Item>
              {explained.usage.cacheWrite5mTokens ? (
                <Item label={t("logs.explain.cacheWrite5m")} testId="explain-cache-write-5m">
                  {fmt(explained.usage.cacheWrite5mTokens)} × {fmt(explained.inputs.cacheWrite5mRatio)}
                </Item>
              ) : null}
              {explained.usage.cacheWrite1hTokens ? (
                <Item label={t("logs.explain.cacheWrite1h")} testId="explain-cache-write-1h">
                  {fmt(explained.usage.cacheWrite1hTokens)} × {fmt(explained.inputs.cacheWrite1hRatio)}
                </Item>
              ) : null}
              {explained.usage.reasoningTokens ? (
                <Item label={t("logs.explain.reasoning")} testId="explain-reasoning">
                  {fmt(explained.usage.reasoningTokens)}
                </Item>
              ) : null}
              {Object.entries(explained.usage.toolCalls).map(([tool, n]) => (
                <Item key={tool} label={t("logs.explain.toolCalls", { tool })} testId={`explain-tool-${tool}`}>
                  {fmt(n)} × ${fmt(explained.inputs.toolPrices[tool] ?? 0)}
                </Item>
              ))}
              <Item label={t("logs.explain.usageSource")} testId="explain-usage-source">
                <UsageSourceLabel source={usageSource} />
              </Item>
            </dl>
            <div className="space-y-1 rounded-lg bg-zinc-50 p-3 dark:bg-zinc-950/60">
              <p className="text-xs text-zinc-500 dark:text-zinc-400">{t("logs.explain.formula")}</p>
              <p className="break-words font-mono text-sm" data-testid="explain-formula">
                {explained.formula} = {explained.exact}
              </p>
              <p className="text-xs text-zinc-500 dark:text-zinc-400">{t(`logs.explain.rule.${explained.rule}`)}</p>
              <p className="font-mono text-sm">
                → <span data-testid="explain-recomputed">{explained.recomputed}</span>
              </p>
            </div>
            <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
              <span>
                {t("logs.explain.charged")}{" "}
                <span className="font-mono font-semibold" data-testid="explain-charged">
                  {explained.charged}
                </span>{" "}
                <span className="text-zinc-500 dark:text-zinc-400">
                  (<Money quota={explained.charged} />)
                </span>
              </span>
              {explained.matches ? (
                <Badge tone="success" data-testid="explain-match">
                  <CheckCircle2 aria-hidden className="h-3.5 w-3.5" />
                  {t("logs.explain.matches")}
                </Badge>
              ) : (
                <Badge tone="danger" role="status" data-testid="explain-mismatch">
                  <AlertTriangle aria-hidden className="h-3.5 w-3.5" />
                  {t("logs.explain.mismatch", { recomputed: explained.recomputed, charged: explained.charged })}
                </Badge>
              )}
            </div>
          </section>
        ) : (
          <p className="text-zinc-600 dark:text-zinc-400" data-testid="explain-none">
            {t("logs.explain.none")}
          </p>
        )
      ) : null}
      <dl className="grid grid-cols-1 gap-x-4 gap-y-2 sm:grid-cols-2 lg:grid-cols-3">
        {row.requestId ? <Item label={t("logs.col.requestId")}>{row.requestId}</Item> : null}
        {typeof other.request_path === "string" ? (
          <Item label={t("logs.explain.requestPath")}>{other.request_path}</Item>
        ) : null}
        {typeof other.frt === "number" ? <Item label={t("logs.explain.frt")}>{fmt(other.frt)} ms</Item> : null}
        {row.content ? (
          <Item label={t("logs.explain.content")}>
            <span className="font-sans">{row.content}</span>
          </Item>
        ) : null}
        {a ? (
          <>
            <Item label={t("logs.col.channel")}>
              {a.channelId !== null ? `#${a.channelId} ${a.channelName ?? ""}` : "—"}
            </Item>
            <Item label={t("logs.col.upstreamRequestId")}>{a.upstreamRequestId || "—"}</Item>
            <Item label={t("logs.col.ip")}>{a.ip || "—"}</Item>
          </>
        ) : null}
      </dl>
      {a ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">{t("logs.explain.raw")}</summary>
          <pre className="mt-2 max-h-64 overflow-auto rounded-lg bg-zinc-50 p-3 font-mono dark:bg-zinc-950/60">
            {JSON.stringify(a.rawOther, null, 2)}
          </pre>
        </details>
      ) : null}
    </div>
  );
}

/** where a charge's token counts came from: the upstream's usage, or counted here */
export function UsageSourceLabel({ source }: { source: string | null }) {
  const { t } = useI18n();
  if (!source) return <>—</>;
  if (source === "upstream") return <>{t("logs.usageSource.upstream")}</>;
  if (source === "local_count") return <>{t("logs.usageSource.local")}</>;
  return <>{source}</>;
}
