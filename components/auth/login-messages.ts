import { parseLoginError } from "@/lib/auth/errors";
import type { Translator } from "@/lib/i18n";

/** next-auth's `error` (our LoginError codes, or its own names) -> a sentence for the form */
export function loginErrorText(t: Translator, error: string | null | undefined): string | null {
  const parsed = parseLoginError(error);
  if (!parsed) return null;
  switch (parsed.code) {
    case "invalid":
    case "CredentialsSignin":
      return t("login.error.invalid");
    case "disabled":
      return t("login.error.disabled");
    case "rate_limited":
      return parsed.minutes === 1
        ? t("login.error.rateLimitedOne")
        : t("login.error.rateLimited", { minutes: parsed.minutes ?? 15 });
    default:
      return t("login.error.generic");
  }
}
