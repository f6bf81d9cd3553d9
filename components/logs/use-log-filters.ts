"use client";
import { parseAsString, useQueryStates } from "nuqs";
import { useCallback, useMemo, useState } from "react";
import { ZAdminLogFilters, ZLogCursor, ZUserLogFilters, type LogFilters } from "@/lib/logs/filters";
import type { LogViewScope } from "@/lib/logs/query-keys";

// The filters of a log page live in the URL (nuqs), so a filtered view can be bookmarked and
// shared. Every value is read as text and checked by the same zod schema the server actions use:
// a bad URL (inverted range, unknown type, a 10 kB request id) becomes an inline message, never a
// request and never a crash.

export const RANGE_PRESETS = ["24h", "7d", "30d", "90d", "all"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export type Range = RangePreset | "custom";
const DEFAULT_RANGE: RangePreset = "7d";

const HOUR = 3_600_000;
export const PRESET_MS: Record<Exclude<RangePreset, "all">, number> = {
  "24h": 24 * HOUR,
  "7d": 7 * 24 * HOUR,
  "30d": 30 * 24 * HOUR,
  "90d": 90 * 24 * HOUR,
};

const text = parseAsString;
const logUrlParsers = {
  type: text,
  range: text,
  from: text,
  to: text,
  key: text,
  model: text,
  group: text,
  rid: text,
  user: text,
  channel: text,
  after: text,
  before: text,
};

export type LogUrlState = { [K in keyof typeof logUrlParsers]: string | null };
export type LogUrlPatch = Partial<LogUrlState>;

/** which field of the filters an error is about, for its message */
export type FilterProblem = "type" | "range" | "requestId" | "username" | "channel" | "cursor" | "other";

export type ResolvedLogView = {
  range: Range;
  filters: LogFilters;
  cursor: { after?: string; before?: string };
  problems: { field: FilterProblem; detail: string }[];
};

const FIELD_OF: Record<string, FilterProblem> = {
  type: "type",
  from: "range",
  to: "range",
  requestId: "requestId",
  username: "username",
  channel: "channel",
};

/** the URL's text -> filters for the actions (or the problems that stop them) */
function resolveLogView(scope: LogViewScope, s: LogUrlState, now: number): ResolvedLogView {
  const range: Range =
    s.range && (RANGE_PRESETS as readonly string[]).includes(s.range)
      ? (s.range as RangePreset)
      : s.range === "custom" || s.from || s.to
        ? "custom"
        : DEFAULT_RANGE;
  const problems: ResolvedLogView["problems"] = [];
  if (s.range && range !== s.range) problems.push({ field: "range", detail: s.range.slice(0, 40) });
  let from: string | number | undefined;
  let to: string | number | undefined;
  if (range === "custom") {
    from = s.from ?? undefined;
    to = s.to ?? undefined;
  } else {
    // a preset ends when the view was opened (or refreshed): the page, its stats, chart and CSV
    // then hold the same rows, however many arrive meanwhile
    if (range !== "all") from = now - PRESET_MS[range];
    to = now;
  }
  const raw: Record<string, unknown> = {
    type: s.type ?? undefined,
    from,
    to,
    key: s.key ?? undefined,
    model: s.model ?? undefined,
    group: s.group ?? undefined,
    requestId: s.rid ?? undefined,
  };
  if (scope === "admin") {
    raw.username = s.user ?? undefined;
    raw.channel = s.channel ?? undefined;
  }
  const parsed = (scope === "admin" ? ZAdminLogFilters : ZUserLogFilters).safeParse(raw);
  for (const issue of parsed.error?.issues ?? []) {
    const field = FIELD_OF[String(issue.path[0])] ?? "other";
    if (!problems.some((p) => p.field === field)) problems.push({ field, detail: issue.message });
  }
  const cursor: ResolvedLogView["cursor"] = {};
  for (const k of ["after", "before"] as const) {
    const v = s[k];
    if (v === null) continue;
    if (ZLogCursor.safeParse(v).success) cursor[k] = v;
    else if (!problems.some((p) => p.field === "cursor")) problems.push({ field: "cursor", detail: "" });
  }
  if (cursor.after && cursor.before) delete cursor.before;
  // type 0 is "every type": the same view as no type, so one cache entry
  const filters: LogFilters = parsed.success ? { ...parsed.data } : {};
  if (!filters.type) delete filters.type;
  for (const k of Object.keys(filters) as (keyof LogFilters)[]) if (filters[k] === undefined) delete filters[k];
  return { range, filters, cursor, problems };
}

export function useLogFilters(scope: LogViewScope) {
  const [state, setState] = useQueryStates(logUrlParsers, { history: "push", shallow: true });
  // the "now" of the presets: fixed while the view is open (stable query keys), moved by refresh
  const [now, setNow] = useState(() => Date.now());
  const view = useMemo(() => resolveLogView(scope, state, now), [scope, state, now]);
  /** a change of filters starts again at the newest page */
  const setFilters = useCallback(
    (patch: LogUrlPatch) => void setState({ ...patch, after: null, before: null }),
    [setState],
  );
  const setCursor = useCallback(
    (cursor: { after?: string | null; before?: string | null }) =>
      void setState({ after: cursor.after ?? null, before: cursor.before ?? null }),
    [setState],
  );
  const clearAll = useCallback(
    () => void setState(Object.fromEntries(Object.keys(logUrlParsers).map((k) => [k, null])) as Record<string, null>),
    [setState],
  );
  const refresh = useCallback(() => setNow(Date.now()), []);
  return { state, view, setFilters, setCursor, clearAll, refresh, now };
}
