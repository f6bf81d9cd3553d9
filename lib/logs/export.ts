import "server-only";
import { z } from "zod";
import type { SessionUser } from "@/lib/auth";
import { AppError, parseOrThrow } from "@/lib/errors";
import { t, type Locale } from "@/lib/i18n";
import { getOptions } from "@/lib/options/service";
import { displayOf, quotaToAmount, type QuotaDisplay } from "@/lib/quota/money";
import { ROLE } from "@/lib/users/schemas";
import { CSV_BOM, csvLine } from "./csv";
import { ZAdminLogFilters, ZTimeZone, ZUserLogFilters, formatCursor } from "./filters";
import { LOG_TOTAL_CAP } from "./filters";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { countLogs, readLogRows, resolveFilters, type LogRow, type LogScope, type ResolvedFilters } from "./search";

// GET /api/logs/export: exactly the rows the log page shows for the same filters, as CSV, streamed
// in keyset batches as the client reads (the server holds one batch, however many rows there are).
// Query: scope=self|admin, tz=<IANA zone for the times>, and the filters of lib/logs/filters.ts.

const BATCH = 5_000;

const ZExportQuery = z.strictObject({
  scope: z.enum(["self", "admin"]).default("self"),
  tz: ZTimeZone.default("UTC"),
});

export async function exportLogsResponse(
  req: Request,
  user: SessionUser,
  locale: Locale,
  opts: { batch?: number } = {},
): Promise<Response> {
  const batch = opts.batch ?? BATCH;
  const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== ""));
  const { scope: scopeParam, tz: tzParam, ...filterParams } = params;
  const { scope: which, tz } = parseOrThrow(ZExportQuery, { scope: scopeParam, tz: tzParam });
  if (which === "admin" && user.role < ROLE.admin)
    throw new AppError("forbidden", "You do not have permission to do this", 403);
  const scope: LogScope = which === "admin" ? { admin: true } : { userId: user.id };
  const filters = parseOrThrow(which === "admin" ? ZAdminLogFilters : ZUserLogFilters, filterParams);
  const f = await resolveFilters(scope, filters);
  const estimate = f ? await countLogs(f) : { total: 0, capped: false };
  const display = displayOf(await getOptions());
  const admin = which === "admin";
  const labels = labelsOf(locale);

  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let done = !f;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    // one batch per pull: the next query runs only when the client has taken the previous one
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLine(header(locale, display, admin))));
        return;
      }
      if (done) return controller.close();
      const rows = await readLogRows(f as ResolvedFilters, {
        limit: batch,
        after: cursor,
        withChannelName: admin,
        timeZone: tz,
        csv: true,
      });
      if (rows.length < batch) done = true;
      if (rows.length) {
        const last = rows[rows.length - 1];
        cursor = formatCursor({ createdAt: last.created_at, id: last.id });
        let text = "";
        for (const r of rows) text += csvLine(line(r, labels, display, admin));
        controller.enqueue(encoder.encode(text));
      }
      if (done) controller.close();
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="tollgate-logs-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-rows-estimate": String(estimate.total),
      ...(estimate.capped ? { "x-rows-estimate-capped": "1" } : {}),
      "x-rows-estimate-cap": String(LOG_TOTAL_CAP),
    },
  });
}

function unitName(display: QuotaDisplay): string {
  return display.type === "TOKENS" ? "quota" : display.type;
}

function header(locale: Locale, display: QuotaDisplay, admin: boolean): string[] {
  const h = (k: Parameters<typeof t>[1]) => t(locale, k);
  return [
    h("logs.csv.time"),
    ...(admin ? [h("logs.csv.user")] : []),
    h("logs.csv.key"),
    h("logs.csv.model"),
    h("logs.csv.group"),
    h("logs.csv.type"),
    h("logs.csv.promptTokens"),
    h("logs.csv.completionTokens"),
    h("logs.csv.cachedTokens"),
    t(locale, "logs.csv.quotaIn", { unit: unitName(display) }),
    h("logs.csv.quotaRaw"),
    h("logs.csv.duration"),
    h("logs.csv.stream"),
    h("logs.csv.requestId"),
    h("logs.csv.content"),
    ...(admin
      ? [h("logs.csv.channel"), h("logs.csv.upstreamRequestId"), h("logs.csv.usageSource"), h("logs.csv.ip")]
      : []),
  ];
}

/** the translated words of the rows, looked up once per export */
function labelsOf(locale: Locale) {
  const types = new Map(
    Object.values(LOG_TYPE).map((n) => [n as number, t(locale, `logs.type.${n}` as Parameters<typeof t>[1])]),
  );
  return { types, yes: t(locale, "logs.csv.yes"), no: t(locale, "logs.csv.no") };
}

function line(r: LogRow, labels: ReturnType<typeof labelsOf>, display: QuotaDisplay, admin: boolean) {
  const other = r.other ?? {};
  const cached = typeof other.cache_tokens === "number" ? other.cache_tokens : 0;
  const amount = display.type === "TOKENS" ? r.quota.toString() : quotaToAmount(r.quota, display).toFixed(6);
  return [
    r.local_time ?? r.created_at.toISOString(),
    ...(admin ? [r.username] : []),
    r.token_name,
    r.model_name,
    r.group,
    labels.types.get(r.type) ?? String(r.type),
    r.prompt_tokens,
    r.completion_tokens,
    cached,
    amount,
    r.quota,
    r.use_time,
    r.is_stream ? labels.yes : labels.no,
    r.request_id ?? "",
    r.content,
    ...(admin
      ? [
          r.channel_id === null ? "" : `${r.channel_id}${r.channel_name ? ` ${r.channel_name}` : ""}`,
          r.upstream_request_id,
          typeof other.usage_source === "string" ? other.usage_source : "",
          r.ip,
        ]
      : []),
  ];
}
