// Why a sign-in was refused. next-auth v4 hands the message of an Error thrown by `authorize` to
// the client as `?error=…`, so the message is a small code the login form translates:
// "invalid", "disabled" or "rate_limited:<minutes>". Shared by server and client code.

export type LoginErrorCode = "invalid" | "disabled" | "rate_limited";

export class LoginError extends Error {
  constructor(
    readonly code: LoginErrorCode,
    readonly minutes?: number,
  ) {
    super(minutes === undefined ? code : `${code}:${minutes}`);
    this.name = "LoginError";
  }
}

/** "rate_limited:12" -> { code: "rate_limited", minutes: 12 }; anything else -> { code } */
export function parseLoginError(text: string | null | undefined): { code: string; minutes?: number } | null {
  if (!text) return null;
  const [code, minutes] = text.split(":");
  return minutes !== undefined && /^\d+$/.test(minutes) ? { code, minutes: Number(minutes) } : { code };
}
