// One error type for every expected failure. `code` reuses OpenAI's and new-api's names
// (insufficient_user_quota, invalid_api_key, model_not_found, ...); `status` is the HTTP status the
// surface answers with; `fieldErrors` carries zod's per-field messages for forms.
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fieldErrors?: Record<string, string[]>;

  constructor(code: string, message: string, status = 400, fieldErrors?: Record<string, string[]>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

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
