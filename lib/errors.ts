import type { MessageKey, Vars } from "@/lib/i18n";

// The one error type for every expected failure, on every surface. `code` reuses OpenAI's and
// new-api's names (insufficient_user_quota, invalid_api_key, model_not_found, ...); `status` is the
// HTTP status the surface answers with; `fieldErrors` carries zod's per-field messages for forms;
// `param` names the request field at fault (OpenAI's error.param). Each surface has one writer:
// lib/relay/errors.ts (OpenAI's body) and lib/http/api.ts ({success:false, code, message}).
//
// AppError is the only error a client sees (a refused sign-in too: lib/auth/errors.ts). The other
// Error subclasses are internal signals between two modules, turned into an AppError, a logged 500
// or a stored record before anything reaches a client:
//   UpstreamNetworkError (lib/relay/http-client.ts) and AddressNotAllowedError (lib/net/resolve.ts):
//     one connection failed or was refused; the relay counts it as a failed attempt
//   UpstreamFailure (lib/relay/upstream.ts): every attempt failed; upstreamFailureError makes the AppError
//   DeliveryError (lib/notifications/http.ts): a notification was not delivered; the outbox records
//     why in the user's delivery history and decides whether to retry
// Bigints in JSON: see lib/http/api.ts (jsonText).
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fieldErrors?: Record<string, string[]>;
  readonly param: string | null;
  /** the portal's text in the user's language (see translatedError) */
  readonly i18n?: ErrorText;
  /** the fields' messages in words of the dictionary, shown in the user's language instead of `fieldErrors` */
  fieldTexts?: Record<string, ErrorText[]>;

  constructor(
    code: string,
    message: string,
    status = 400,
    fieldErrors?: Record<string, string[]>,
    param: string | null = null,
    i18n?: ErrorText,
  ) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.param = param;
    this.i18n = i18n;
  }
}

/**
 * A dictionary key of lib/i18n with the values it fills in (a value may itself be such a text,
 * rendered in the same language first), and the form field it belongs to.
 */
export type ErrorText = { key: MessageKey; vars?: Record<string, Vars[string] | ErrorText>; field?: string };

/**
 * An AppError whose text the portal shows in the user's language, with values filled in
 * ("You can have at most {max} keys"). The English `message` stays what the CLI and the HTTP
 * surfaces print; lib/actions.ts renders `key` with `vars`, and puts it on `field` when set.
 */
export function translatedError(code: string, message: string, status: number, i18n: ErrorText): AppError {
  return new AppError(code, message, status, i18n.field ? { [i18n.field]: [message] } : undefined, null, i18n);
}

/** The code of every unexpected failure, on every surface: the details go to the log, not the client. */
export const INTERNAL_ERROR = "internal_error";

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export function notFound(what: string): AppError {
  return new AppError("not_found", `${what} not found`, 404);
}

/** zod issues -> { field: [messages] } */
export function fieldErrorsOf(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function validationError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): AppError {
  const fieldErrors = fieldErrorsOf(issues);
  const first = Object.entries(fieldErrors)[0];
  const message = first ? (first[0] === "_" ? first[1][0] : `${first[0]}: ${first[1][0]}`) : "Invalid input";
  return new AppError("validation", message, 400, fieldErrors);
}

/** `schema.safeParse(value)`, throwing the validation AppError (400, field errors) on failure */
export function parseOrThrow<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
  },
  value: unknown,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error.issues);
  return r.data;
}
