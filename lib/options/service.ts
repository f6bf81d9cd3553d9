import "server-only";
import { db, type Db } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { invalidate, onInvalidate } from "@/lib/cache/bus";
import { encodeOption, isOptionKey, OPTION_DEFAULTS, parseOptionValue, type OptionKey, type Options } from "./schemas";

// Typed settings: defaults overlaid with the options table, cached in process. A change made
// through setOption is seen at once here and (with Redis) on every node; otherwise at most
// RELOAD_MS later.
const RELOAD_MS = 10_000;

const g = globalThis as unknown as {
  tollgateOptions?: { value: Options; loadedAt: number; loading?: Promise<Options> };
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
      if (g.tollgateOptions) g.tollgateOptions.loadedAt = 0;
    });
  }
  const cached = g.tollgateOptions;
  if (cached && Date.now() - cached.loadedAt < RELOAD_MS) return cached.value;
  if (cached?.loading) return cached.value;
  const loading = load(db);
  if (cached) {
    cached.loading = loading;
    try {
      cached.value = await loading;
      cached.loadedAt = Date.now();
    } finally {
      cached.loading = undefined;
    }
    return cached.value;
  }
  const value = await loading;
  g.tollgateOptions = { value, loadedAt: Date.now() };
  return value;
}

export async function getOption<K extends OptionKey>(key: K): Promise<Options[K]> {
  return (await getOptions())[key];
}

/** Validates and stores one option. `text` is what an admin typed: JSON, or a bare string. */
export async function setOption(key: string, text: string): Promise<{ key: OptionKey; value: unknown }> {
  if (!isOptionKey(key)) throw new AppError("unknown_option", `Unknown option "${key}"`, 400);
  const parsed = parseOptionValue(key, text);
  if (!parsed.success) throw validationError(parsed.error.issues.map((i) => ({ ...i, path: [key, ...i.path] })));
  await db.option.upsert({
    where: { key },
    create: { key, value: encodeOption(parsed.data) },
    update: { value: encodeOption(parsed.data) },
  });
  invalidate("options");
  return { key, value: parsed.data };
}

/** test helper and CLI: forget the cached snapshot */
export function resetOptionsCache(): void {
  g.tollgateOptions = undefined;
}
