import { AppError, isAppError } from "@/lib/errors";

// Why a sign-in was refused. next-auth v4 hands the message of an Error thrown by `authorize` to
// the client as `?error=…`, so the message of a refusal (an AppError) is a small code the login
// form translates: "invalid", "disabled" or "rate_limited:<minutes>". Shared by server and client.

export type LoginErrorCode = "invalid" | "disabled" | "rate_limited";

const LOGIN_ERROR_CODES: readonly string[] = ["invalid", "disabled", "rate_limited"] satisfies LoginErrorCode[];

/** the AppError of a refused sign-in; its message is the code next-auth passes on */
export function loginError(code: LoginErrorCode, minutes?: number): AppError {
  const status = code === "rate_limited" ? 429 : code === "disabled" ? 403 : 401;
  return new AppError(code, minutes === undefined ? code : `${code}:${minutes}`, status);
}

/** a refusal whose code the login form shows (every other failure of `authorize` becomes "error") */
export const isLoginError = (e: unknown): e is AppError => isAppError(e) && LOGIN_ERROR_CODES.includes(e.code);

/** "rate_limited:12" -> { code: "rate_limited", minutes: 12 }; anything else -> { code } */
export function parseLoginError(text: string | null | undefined): { code: string; minutes?: number } | null {
  if (!text) return null;
  const [code, minutes] = text.split(":");
  return minutes !== undefined && /^\d+$/.test(minutes) ? { code, minutes: Number(minutes) } : { code };
}
