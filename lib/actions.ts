import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { getSessionUserOrThrow, type SessionUser } from "@/lib/auth";
import { INTERNAL_ERROR, isAppError, type ErrorText } from "@/lib/errors";
import { errorMessage, hasMessage, issueMessage, t, type Locale } from "@/lib/i18n";
import { getLocale } from "@/lib/i18n/server";
import { ROLE } from "@/lib/users/schemas";

// The one shape of every server action: session check, zod parse, one service call, and every
// failure turned into a result the form can show (in the user's language). Use it from
// lib/<domain>/actions.ts ("use server"):
//   export const createKeyAction = authedAction(ZCreateKeyInput, async (input, user) => createKey(db, user.id, input));

export type ActionError = { code: string; message: string; fieldErrors?: Record<string, string[]> };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

/** what an action accepts: the schema's input object, or the FormData of a <form action> */
export type ActionInput<S extends z.ZodType> = z.input<S> | FormData;

/** FormData -> plain object (a repeated name becomes an array); anything else is passed through */
function toPlain(raw: unknown): unknown {
  if (typeof FormData === "undefined" || !(raw instanceof FormData)) return raw;
  const out: Record<string, unknown> = {};
  for (const key of new Set(raw.keys())) {
    if (key.startsWith("$ACTION")) continue; // React's own fields
    const values = raw.getAll(key);
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function validationResult(locale: Locale, issues: z.core.$ZodIssue[]): ActionResult<never> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_";
    const message = issueMessage(locale, issue as Parameters<typeof issueMessage>[1]);
    const list = (fieldErrors[key] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  const fields = Object.keys(fieldErrors).filter((k) => k !== "_");
  // one bad field: its own message; several: a summary (each field shows its message)
  const message =
    fields.length === 1 ? fieldErrors[fields[0]][0] : (fieldErrors._?.[0] ?? t(locale, "error.validation"));
  return { ok: false, error: { code: "validation", message, fieldErrors } };
}

/** a dictionary text in the user's language, its nested texts first */
function render(locale: Locale, { key, vars }: ErrorText): string {
  if (!vars) return t(locale, key);
  const flat: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(vars)) flat[name] = typeof v === "object" ? render(locale, v) : v;
  return t(locale, key, flat);
}

/** AppError -> its code and (translated when the dictionary knows the code) message; else a logged generic error */
function toActionError(e: unknown, locale: Locale): ActionError {
  if (isAppError(e) && e.i18n) {
    const { field } = e.i18n;
    const message = render(locale, e.i18n);
    return { code: e.code, message, ...(field ? { fieldErrors: { [field]: [message] } } : {}) };
  }
  if (isAppError(e) && e.fieldTexts) {
    const fieldErrors = Object.fromEntries(
      Object.entries(e.fieldTexts).map(([field, texts]) => [field, texts.map((x) => render(locale, x))]),
    );
    const fields = Object.keys(fieldErrors);
    const message = fields.length === 1 ? fieldErrors[fields[0]][0] : t(locale, "error.validation");
    return { code: e.code, message, fieldErrors };
  }
  if (isAppError(e)) {
    const message = errorMessage(locale, e.code, e.message);
    let fieldErrors = e.fieldErrors;
    // a service's field message for a code we translate (e.g. username_taken) is shown translated
    if (fieldErrors && hasMessage(`error.${e.code}`)) {
      fieldErrors = Object.fromEntries(Object.keys(fieldErrors).map((k) => [k, [message]]));
    }
    return { code: e.code, message, ...(fieldErrors ? { fieldErrors } : {}) };
  }
  console.error("server action failed", e);
  return { code: INTERNAL_ERROR, message: t(locale, "error.internal") };
}

async function run<S extends z.ZodType, T>(
  schema: S,
  raw: unknown,
  locale: Locale,
  fn: (input: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  // reportInput: issues carry what was sent, so an empty field reads "required" (inputs never leave the server)
  const parsed = schema.safeParse(toPlain(raw), { reportInput: true });
  if (!parsed.success) return validationResult(locale, parsed.error.issues);
  try {
    return { ok: true, data: await fn(parsed.data) };
  } catch (e) {
    unstable_rethrow(e); // redirect() and notFound() are not errors
    return { ok: false, error: toActionError(e, locale) };
  }
}

/**
 * The least role an action built here demands (0: anyone, `publicAction`), attached to the action
 * itself so a test can find every action and what it requires without a list written by hand
 * (lib/authorization.int.test.ts).
 */
const ACTION_MIN_ROLE = Symbol.for("tollgate.action.minRole");

type Marked<F> = F & { [ACTION_MIN_ROLE]: number };

function mark<F extends object>(fn: F, minRole: number): Marked<F> {
  return Object.assign(fn, { [ACTION_MIN_ROLE]: minRole });
}

/** the least role of an action built by this module, or undefined for any other function */
export function actionMinRole(fn: unknown): number | undefined {
  if (typeof fn !== "function") return undefined;
  const role = (fn as Partial<Marked<object>>)[ACTION_MIN_ROLE];
  return typeof role === "number" ? role : undefined;
}

function withRole<S extends z.ZodType, T>(
  minRole: number,
  schema: S,
  fn: (input: z.output<S>, user: SessionUser) => Promise<T>,
) {
  const action = async (input: ActionInput<S>): Promise<ActionResult<T>> => {
    const locale = await getLocale();
    let user: SessionUser;
    try {
      user = await getSessionUserOrThrow(minRole);
    } catch (e) {
      return { ok: false, error: toActionError(e, locale) };
    }
    return run(schema, input, locale, (parsed) => fn(parsed, user));
  };
  return mark(action, minRole);
}

/** An action for any signed-in, enabled user. */
export function authedAction<S extends z.ZodType, T>(
  schema: S,
  fn: (input: z.output<S>, user: SessionUser) => Promise<T>,
) {
  return withRole(ROLE.user, schema, fn);
}

/** An action for admins (role ≥ 10). */
export function adminAction<S extends z.ZodType, T>(
  schema: S,
  fn: (input: z.output<S>, user: SessionUser) => Promise<T>,
) {
  return withRole(ROLE.admin, schema, fn);
}

/** An action anyone may call (sign-up). Same parsing and error mapping, no session. */
export function publicAction<S extends z.ZodType, T>(schema: S, fn: (input: z.output<S>) => Promise<T>) {
  return mark(async (input: ActionInput<S>): Promise<ActionResult<T>> => run(schema, input, await getLocale(), fn), 0);
}
