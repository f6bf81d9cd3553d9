import "server-only";
import type { z } from "zod";
import type { ZAdminLogChartInput, ZAdminLogPageInput, LogFilters } from "./filters";
import { toAdminLogRow, toUserLogRow, type AdminLogRowDTO, type LogRowDTO } from "./rows";
import { countLogs, logStats, readLogPage, resolveFilters, type LogScope } from "./search";
import { usageChart, type UsageChartDTO } from "./usage";

// The log pages' reads for one scope (a user's own logs, or the admin's view of everyone's): the
// filters resolved once, then the page and its capped total, the stats or the chart.

export type LogPageDTO<Row> = {
  items: Row[];
  /** cursor of the next (older) page, or null */
  next: string | null;
  /** cursor of the previous (newer) page, or null */
  prev: string | null;
  /** rows matching the filters, counted up to LOG_TOTAL_CAP */
  total: number;
  capped: boolean;
};

export type LogStatsDTO = { quota: string; rpm: number; tpm: number };

type PageInput = z.output<typeof ZAdminLogPageInput>;

export async function logPage(scope: { userId: number }, input: PageInput): Promise<LogPageDTO<LogRowDTO>>;
export async function logPage(scope: { admin: true }, input: PageInput): Promise<LogPageDTO<AdminLogRowDTO>>;
export async function logPage(scope: LogScope, input: PageInput): Promise<LogPageDTO<LogRowDTO | AdminLogRowDTO>> {
  const f = await resolveFilters(scope, input.filters);
  if (!f) return { items: [], next: null, prev: null, total: 0, capped: false };
  const admin = "admin" in scope;
  const [page, count] = await Promise.all([
    readLogPage(f, { pageSize: input.pageSize, after: input.after, before: input.before, withChannelName: admin }),
    countLogs(f),
  ]);
  return {
    items: page.rows.map(admin ? toAdminLogRow : toUserLogRow),
    next: page.next,
    prev: page.prev,
    ...count,
  };
}

export async function logStatsOf(scope: LogScope, filters: LogFilters): Promise<LogStatsDTO> {
  const f = await resolveFilters(scope, filters);
  if (!f) return { quota: "0", rpm: 0, tpm: 0 };
  const s = await logStats(f);
  return { quota: s.quota.toString(), rpm: s.rpm, tpm: s.tpm };
}

export async function usageChartOf(
  scope: LogScope,
  input: z.output<typeof ZAdminLogChartInput>,
): Promise<UsageChartDTO> {
  const f = await resolveFilters(scope, input.filters);
  return usageChart(f, input.filters, input.timeZone);
}
