import type { ActionError, ActionResult } from "@/lib/actions";

// Server actions return a result instead of throwing; react-query wants a throw. `unwrap` turns a
// refused result into an ActionFailure that keeps the code and the per-field messages.

export class ActionFailure extends Error {
  constructor(readonly error: ActionError) {
    super(error.message);
    this.name = "ActionFailure";
  }
}

export async function unwrap<T>(pending: Promise<ActionResult<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new ActionFailure(result.error);
  return result.data;
}

/** the first message of each field (`_` = the form as a whole) */
export function failureFieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ActionFailure)) return {};
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(e.error.fieldErrors ?? {})) {
    // "modelLimits.2" belongs to the model picker
    const key = field.split(".")[0];
    out[key] ??= messages[0];
  }
  return out;
}

/** what to tell a person about a failure: the server's message, else a generic one (a network error) */
export function failureMessage(e: unknown, fallback: string): string {
  return e instanceof ActionFailure ? e.error.message : fallback;
}
