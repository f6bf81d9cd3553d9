import { AppError } from "@/lib/errors";
import type { MessageKey, Vars } from "./index";

/**
 * An AppError whose text the portal shows in the user's language, with values filled in
 * ("You can have at most {max} keys"). The English `message` stays what the CLI and the HTTP
 * surfaces print; lib/actions.ts renders `key` with `vars`, and puts it on `field` when set.
 */
export class TranslatedError extends AppError {
  readonly key: MessageKey;
  readonly vars?: Vars;
  readonly field?: string;

  constructor(code: string, message: string, status: number, i18n: { key: MessageKey; vars?: Vars; field?: string }) {
    super(code, message, status, i18n.field ? { [i18n.field]: [message] } : undefined);
    this.key = i18n.key;
    this.vars = i18n.vars;
    this.field = i18n.field;
  }
}

export const isTranslatedError = (e: unknown): e is TranslatedError => e instanceof TranslatedError;
