import { en, zh, type MessageKey } from "./messages";

// A small dictionary i18n: two locales, chosen by a cookie (else the browser's Accept-Language).
// Pure functions only, so server code, client components and tests share them.

export const LOCALES = ["en", "zh"] as const;
export type Locale = (typeof LOCALES)[number];
const DEFAULT_LOCALE: Locale = "en";
export const LOCALE_COOKIE = "tollgate-lang";
export const LOCALE_LABELS: Record<Locale, string> = { en: "EN", zh: "中文" };

export type { MessageKey };
export type Messages = Record<MessageKey, string>;
export type Vars = Record<string, string | number>;

const DICTIONARIES: Record<Locale, Messages> = { en, zh };

const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

export function messagesOf(locale: Locale): Messages {
  return DICTIONARIES[locale];
}

export const hasMessage = (key: string): key is MessageKey => Object.hasOwn(en, key);

/** fills `{name}` placeholders; an unknown placeholder is left as it is so a mistake is visible */
export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

export function t(locale: Locale, key: MessageKey, vars?: Vars): string {
  return format(DICTIONARIES[locale][key] ?? en[key], vars);
}

export type Translator = (key: MessageKey, vars?: Vars) => string;

export function translator(locale: Locale): Translator {
  return (key, vars) => t(locale, key, vars);
}

/**
 * The locale of a request: the cookie when it names a known locale, else the first supported
 * language of Accept-Language (by q-value), else English.
 */
export function pickLocale(cookieValue: string | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q ? Number(q.slice(2)) : 1;
      return { lang: tag.trim().toLowerCase().split("-")[0], weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((x) => x.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return DEFAULT_LOCALE;
}

/**
 * Localised text of an error code (AppError / action error): the dictionary's `error.<code>` when
 * there is one, else the server's own (English) message.
 */
export function errorMessage(locale: Locale, code: string, fallback: string): string {
  const key = `error.${code}`;
  return hasMessage(key) ? t(locale, key) : fallback;
}

/** the subset of a zod issue that the form messages need */
export type IssueLike = {
  code: string;
  path: PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  format?: string;
  input?: unknown;
  /** custom issues: `params.i18n` names the dictionary text, the other params fill it */
  params?: Record<string, unknown>;
  keys?: string[];
};

/** A field's label for messages: `field.<name>` when known, else "This field". */
function fieldLabel(locale: Locale, field: string): string {
  const key = `field.${field}`;
  return hasMessage(key) ? t(locale, key) : t(locale, "field.generic");
}

/**
 * A form message for one zod issue, in the user's language. Length and format problems of text
 * fields are worded from the issue's code and bounds (so the same schema serves both languages);
 * any other issue keeps the schema's message in English and gets a generic one in Chinese.
 */
export function issueMessage(locale: Locale, issue: IssueLike): string {
  const field = String(issue.path[0] ?? "");
  const label = fieldLabel(locale, field);
  if (issue.code === "invalid_type") {
    // zod 4 leaves `input` out of issues unless asked to; its default message names what it got
    const missing = "input" in issue ? issue.input == null : /received (undefined|null)$/.test(issue.message);
    return t(locale, missing ? "error.required" : "error.invalid", { field: label });
  }
  if (issue.code === "too_small" && issue.origin === "string") {
    const min = Number(issue.minimum ?? 0);
    const empty = min <= 1 || (typeof issue.input === "string" && issue.input.trim() === "");
    return empty ? t(locale, "error.required", { field: label }) : t(locale, "error.tooShort", { field: label, min });
  }
  if (issue.code === "too_big" && issue.origin === "string") {
    return t(locale, "error.tooLong", { field: label, max: Number(issue.maximum ?? 0) });
  }
  if (issue.code === "too_big" && (issue.origin === "number" || issue.origin === "bigint")) {
    return t(locale, "error.numberTooBig", { field: label, max: String(issue.maximum ?? "") });
  }
  if (issue.code === "too_small" && (issue.origin === "number" || issue.origin === "bigint")) {
    return t(locale, "error.numberTooSmall", { field: label, min: String(issue.minimum ?? "") });
  }
  if (issue.code === "too_big" && issue.origin === "array")
    return t(locale, "error.tooMany", { field: label, max: Number(issue.maximum ?? 0) });
  if (issue.code === "unrecognized_keys")
    return t(locale, "error.unknownFields", { fields: (issue.keys ?? []).join(", ") });
  if (issue.code === "invalid_format" && issue.format === "regex") return t(locale, "error.badChars", { field: label });
  if (issue.code === "custom") {
    const key = issue.params?.i18n;
    if (typeof key === "string" && hasMessage(key)) {
      const vars = Object.fromEntries(
        Object.entries(issue.params ?? {}).filter(
          (e): e is [string, string | number] => typeof e[1] === "string" || typeof e[1] === "number",
        ),
      );
      return t(locale, key, vars);
    }
    if (hasMessage(issue.message)) return t(locale, issue.message);
  }
  return locale === "en" ? issue.message : t(locale, "error.invalid", { field: label });
}
