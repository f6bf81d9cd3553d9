import { z } from "zod";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { ZText } from "@/lib/text";

// The filters of the log pages, parsed by one schema wherever they arrive: the URL of the page, the
// server actions behind it and the CSV route. Times are epoch milliseconds, [from, to).

/** the furthest back a filter may reach, and the furthest ahead */
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

const LOG_PAGE_SIZE = 20;
const LOG_PAGE_SIZE_MAX = 100;
/** pages count their rows up to this many, as new-api does ("10000+") */
export const LOG_TOTAL_CAP = 10_000;

const LOG_TYPES = Object.values(LOG_TYPE) as number[];

const time = z.coerce.number().int().min(MIN_TIME).max(MAX_TIME);
const text = (max: number) =>
  ZText.trim()
    .max(max)
    .transform((s) => s || undefined);

const userFilterFields = {
  /** 0 or absent: every type */
  type: z.coerce
    .number()
    .int()
    .refine((t) => LOG_TYPES.includes(t), { message: "unknown log type" })
    .optional(),
  from: time.optional(),
  to: time.optional(),
  /** the name of one of the user's keys (the admin: of anyone's) */
  key: text(64).optional(),
  model: text(128).optional(),
  group: text(64).optional(),
  requestId: text(64).optional(),
};

const adminFilterFields = {
  ...userFilterFields,
  /** exact, case-insensitive */
  username: text(32).optional(),
  channel: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
};

const rangeInOrder = (f: { from?: number; to?: number }) => f.from === undefined || f.to === undefined || f.from < f.to;
const rangeIssue = { message: "the start of the range must be before its end", path: ["to"] };

export const ZUserLogFilters = z.strictObject(userFilterFields).refine(rangeInOrder, rangeIssue);
export const ZAdminLogFilters = z.strictObject(adminFilterFields).refine(rangeInOrder, rangeIssue);

export type AdminLogFilters = z.output<typeof ZAdminLogFilters>;
export type LogFilters = AdminLogFilters;

/** the largest log id (bigint) */
const MAX_LOG_ID = 9_223_372_036_854_775_807n;

/** a position in the (created_at, id) order: "<epoch ms>.<id>", both within what the columns hold */
export const ZLogCursor = z
  .string()
  .max(40)
  .regex(/^\d{1,15}\.\d{1,19}$/, "bad cursor")
  .refine((s) => {
    const [at, id] = s.split(".");
    return Number(at) <= MAX_TIME && BigInt(id) <= MAX_LOG_ID;
  }, "bad cursor");

const pageFields = {
  /** rows older than this cursor (the next page) */
  after: ZLogCursor.optional(),
  /** rows newer than this cursor (the previous page) */
  before: ZLogCursor.optional(),
  pageSize: z.coerce.number().int().min(1).max(LOG_PAGE_SIZE_MAX).default(LOG_PAGE_SIZE),
};

/** an IANA time zone the runtime knows ("Asia/Shanghai"); days of charts and CSV times are in it */
export const ZTimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "unknown time zone");

export const ZUserLogPageInput = z.strictObject({ filters: ZUserLogFilters, ...pageFields });
export const ZAdminLogPageInput = z.strictObject({ filters: ZAdminLogFilters, ...pageFields });
export const ZUserLogChartInput = z.strictObject({ filters: ZUserLogFilters, timeZone: ZTimeZone });
export const ZAdminLogChartInput = z.strictObject({ filters: ZAdminLogFilters, timeZone: ZTimeZone });

export type LogCursor = { at: number; id: bigint };

export function parseCursor(s: string): LogCursor {
  const [at, id] = s.split(".");
  return { at: Number(at), id: BigInt(id) };
}

export const formatCursor = (c: { createdAt: Date | string; id: bigint | string }) =>
  `${new Date(c.createdAt).getTime()}.${c.id}`;

/** the chart's buckets: hours for ranges of two days or less, else days */
export const HOURLY_CHART_MAX_MS = 2 * 24 * 3_600_000;
