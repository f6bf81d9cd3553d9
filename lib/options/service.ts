import "server-only";
import type { z } from "zod";
import { db, type Db } from "@/lib/db";
import { AppError, type ErrorText } from "@/lib/errors";
import { invalidate, onInvalidate } from "@/lib/cache/bus";
import { CLI_OPERATOR, recordAdminAction, type AuditOperator } from "@/lib/audit/service";
import { keyLines, lineOfPath, parseJsonWithLine } from "./json-lines";
import {
  encodeOption,
  isOptionKey,
  OPTION_DEFAULTS,
  OPTION_SCHEMAS,
  parseOptionValue,
  type OptionKey,
  type Options,
} from "./schemas";

// Typed settings: defaults overlaid with the options table, cached in process. A change made
// through setOption is seen at once here and (with Redis) on every node; otherwise at most
// RELOAD_MS later.
const RELOAD_MS = 10_000;

const g = globalThis as unknown as {
  tollgateOptions?: { value: Options; loadedAt: number; loading?: Promise<Options> };
  /** bumped by every invalidation: a load that started before one must not count as fresh */
  tollgateOptionsVersion?: number;
};
let subscribed = false;

async function load(client: Db): Promise<Options> {
  const rows = await client.option.findMany();
  const out: Record<string, unknown> = { ...OPTION_DEFAULTS };
  for (const row of rows) {
    if (!isOptionKey(row.key)) continue;
    const parsed = parseOptionValue(row.key, row.value);
    // a bad stored value never takes the service down: the default stays in force
    if (parsed.success) out[row.key] = parsed.data;
    else console.error(`option ${row.key}: stored value is invalid, using the default`);
  }
  return out as Options;
}

export async function getOptions(): Promise<Options> {
  if (!subscribed) {
    subscribed = true;
    onInvalidate("options", () => {
      g.tollgateOptionsVersion = (g.tollgateOptionsVersion ?? 0) + 1;
      if (g.tollgateOptions) g.tollgateOptions.loadedAt = 0;
    });
  }
  const cached = g.tollgateOptions;
  if (cached && Date.now() - cached.loadedAt < RELOAD_MS) return cached.value;
  if (cached?.loading) return cached.value;
  const version = g.tollgateOptionsVersion ?? 0;
  const loading = load(db);
  // a load that an invalidation overtook may have read the old rows: keep its values, but stale
  const loadedAt = () => (version === (g.tollgateOptionsVersion ?? 0) ? Date.now() : 0);
  if (cached) {
    cached.loading = loading;
    try {
      cached.value = await loading;
      cached.loadedAt = loadedAt();
    } finally {
      cached.loading = undefined;
    }
    return cached.value;
  }
  const value = await loading;
  g.tollgateOptions = { value, loadedAt: loadedAt() };
  return value;
}

export async function getOption<K extends OptionKey>(key: K): Promise<Options[K]> {
  return (await getOptions())[key];
}

/** Validates and stores one option. `text` is what an admin typed: JSON, or a bare string. */
export async function setOption(
  key: string,
  text: string,
  operator: AuditOperator = CLI_OPERATOR,
): Promise<{ key: OptionKey; value: unknown }> {
  if (!isOptionKey(key)) throw new AppError("unknown_option", `Unknown option "${key}"`, 400);
  const [saved] = await setOptions({ [key]: text }, operator);
  return saved ?? { key, value: parseOptionValue(key, text).data };
}

/** options whose value is a JSON object an admin edits as text: errors name the line */
const JSON_OPTIONS = new Set<OptionKey>([
  "ModelRatio",
  "CompletionRatio",
  "ModelPrice",
  "CacheRatio",
  "GroupRatio",
  "GroupGroupRatio",
  "UserUsableGroups",
]);

/** A field's problem: the English text (the CLI, the logs) and the same in words of the dictionary (the page). */
type Problem = { en: string; text: ErrorText };

/** one option's text -> its value, or its field problems ("Line 3: gpt-4o must be ≥ 0") */
function parseForSave(key: OptionKey, text: string): { ok: true; value: unknown } | { ok: false; errors: Problem[] } {
  if (!JSON_OPTIONS.has(key)) {
    const parsed = parseOptionValue(key, text);
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, errors: parsed.error.issues.map((i) => ({ en: i.message, text: issueText(i) })) };
  }
  const json = parseJsonWithLine(text);
  if (!json.ok)
    return {
      ok: false,
      errors: [
        {
          en: `Line ${json.line}: ${json.message}`,
          text: { key: "options.error.json", vars: { line: json.line, detail: json.message } },
        },
      ],
    };
  const parsed = (OPTION_SCHEMAS[key] as z.ZodType).safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const lines = keyLines(text);
  return {
    ok: false,
    errors: parsed.error.issues.map((i): Problem => {
      const name = i.path.map(String).join(" → ");
      const line = lineOfPath(lines, i.path);
      return {
        en: `Line ${line}: ${name ? `${name} ` : ""}${i.message}`,
        text: name
          ? { key: "options.error.at", vars: { line, name, problem: issueText(i) } }
          : { key: "options.error.atLine", vars: { line, problem: issueText(i) } },
      };
    }),
  };
}

/** a zod issue of an option's value in words of the dictionary (the schemas' own messages stay the English) */
function issueText(i: z.core.$ZodIssue): ErrorText {
  const custom = i.code === "custom" ? i.params?.i18n : undefined;
  if (typeof custom === "string") return { key: custom as ErrorText["key"] };
  if (i.code === "too_small" && (i.origin === "number" || i.origin === "bigint"))
    return { key: "options.error.min", vars: { min: String(i.minimum) } };
  if (i.code === "too_big" && (i.origin === "number" || i.origin === "bigint"))
    return { key: "options.error.max", vars: { max: String(i.maximum) } };
  if (i.code === "too_big" && i.origin === "string")
    return { key: "options.error.long", vars: { max: String(i.maximum) } };
  if (i.code === "too_small" && i.origin === "string") return { key: "options.error.empty" };
  if (i.code === "invalid_type" && i.expected === "int") return { key: "options.error.int" };
  if (i.code === "invalid_type") return { key: "options.error.type", vars: { expected: i.expected } };
  if (i.code === "invalid_value")
    return { key: "options.error.oneOf", vars: { values: i.values.map(String).join(", ") } };
  if (i.code === "invalid_format" && i.format === "url") return { key: "options.error.url" };
  return { key: "options.error.other", vars: { detail: i.message } };
}

/**
 * The groups GroupGroupRatio names must be groups of GroupRatio (the merged result of the save):
 * a typo there would otherwise silently price nothing. UserUsableGroups may name a group that
 * GroupRatio lacks on purpose: that is a retired group, whose keys are refused (group_deprecated).
 */
function unknownGroupErrors(next: Options, saving: Set<OptionKey>): Record<string, Problem[]> {
  const known = new Set(Object.keys(next.GroupRatio));
  const out: Record<string, Problem[]> = {};
  const blame = (key: OptionKey, group: string) => {
    const field = saving.has(key) ? key : "GroupRatio";
    const problem: Problem = saving.has(key)
      ? { en: `Unknown group "${group}"`, text: { key: "options.error.unknownGroup", vars: { group } } }
      : {
          en: `Unknown group "${group}" (in ${key})`,
          text: { key: "options.error.unknownGroupIn", vars: { group, option: key } },
        };
    (out[field] ??= []).push(problem);
  };
  for (const [userGroup, inner] of Object.entries(next.GroupGroupRatio)) {
    if (!known.has(userGroup)) blame("GroupGroupRatio", userGroup);
    for (const using of Object.keys(inner)) if (!known.has(using)) blame("GroupGroupRatio", using);
  }
  return out;
}

/** a new StatsTimeZone rebuilds the daily rollups from every hourly one: longer than a save's default 5 s */
const ZONE_REBUILD_TIMEOUT_MS = 10 * 60_000;

const same = (a: unknown, b: unknown) => encodeOption(a) === encodeOption(b);

/**
 * Validates every given option (all or nothing: one bad value saves none), then stores the
 * changed ones in one transaction with an audit row each (before and after), and tells every
 * node (lib/cache/bus) after the commit. Texts are what an admin typed: JSON, or a bare string.
 * A new StatsTimeZone rebuilds the daily rollups in that transaction (settles wait for it).
 */
export async function setOptions(
  texts: Record<string, string>,
  operator: AuditOperator,
): Promise<{ key: OptionKey; value: unknown }[]> {
  const fieldErrors: Record<string, Problem[]> = {};
  const values = new Map<OptionKey, unknown>();
  for (const [key, text] of Object.entries(texts)) {
    if (!isOptionKey(key)) {
      fieldErrors[key] = [
        { en: `Unknown option "${key}"`, text: { key: "options.error.unknownOption", vars: { key } } },
      ];
      continue;
    }
    const r = parseForSave(key, String(text));
    if (r.ok) values.set(key, r.value);
    else fieldErrors[key] = r.errors;
  }
  if (Object.keys(fieldErrors).length) throw optionErrors(fieldErrors);
  const saved = await db.$transaction(
    async (tx) => {
      const current = await load(tx);
      const next = { ...current, ...Object.fromEntries(values) } as Options;
      const groupErrors = unknownGroupErrors(next, new Set(values.keys()));
      if (Object.keys(groupErrors).length) throw optionErrors(groupErrors);
      const out: { key: OptionKey; value: unknown }[] = [];
      for (const [key, value] of values) {
        out.push({ key, value });
        if (same(current[key], value)) continue;
        await tx.option.upsert({
          where: { key },
          create: { key, value: encodeOption(value) },
          update: { value: encodeOption(value) },
        });
        // keyed by the option's name, so a secret option is masked by the trail
        await recordAdminAction(tx, operator, {
          action: "option.update",
          targetType: "option",
          targetId: key,
          before: { [key]: current[key] },
          after: { [key]: value },
        });
        // the daily rollups count days of this zone: rebuilt in it before the new zone is seen
        if (key === "StatsTimeZone") await tx.$executeRaw`SELECT tollgate_rebuild_daily_rollups(${value as string})`;
      }
      return out;
    },
    values.has("StatsTimeZone") ? { timeout: ZONE_REBUILD_TIMEOUT_MS } : undefined,
  );
  invalidate("options");
  return saved;
}

function optionErrors(problems: Record<string, Problem[]>): AppError {
  const fields = Object.keys(problems);
  const fieldErrors = Object.fromEntries(fields.map((f) => [f, problems[f].map((p) => p.en)]));
  const message = fields.length === 1 ? `${fields[0]}: ${fieldErrors[fields[0]][0]}` : "Some settings are invalid";
  const e = new AppError("invalid_option", message, 400, fieldErrors);
  e.fieldTexts = Object.fromEntries(fields.map((f) => [f, problems[f].map((p) => p.text)]));
  return e;
}

/** test helper and CLI: forget the cached snapshot */
export function resetOptionsCache(): void {
  g.tollgateOptions = undefined;
}
