import "server-only";
import { db } from "@/lib/db";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { LOG_TYPE } from "@/lib/quota/credits";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "@/lib/users/password";
import { USER_STATUS } from "@/lib/users/schemas";
import { LoginError } from "./errors";
import { ZLoginInput } from "./schemas";

// Credentials sign-in: rate limits, password check, the login log. Free of next/* so the
// integration tests call it directly; lib/auth/options.ts mounts it in next-auth's authorize.

const WINDOW_MS = 15 * 60_000;

/**
 * Failed attempts per 15 minutes. The username+IP pair is the real limit; the per-IP cap stops one
 * address from trying many usernames, and the per-username cap bounds guessing at one account from
 * many addresses (X-Forwarded-For can be forged when Next is exposed directly), loose enough that
 * a stranger cannot lock a user out by accident.
 */
export const LOGIN_LIMITS = {
  ipUser: rateLimiter({ name: "login:ip-user", limit: 5, windowMs: WINDOW_MS }),
  ip: rateLimiter({ name: "login:ip", limit: 30, windowMs: WINDOW_MS }),
  user: rateLimiter({ name: "login:user", limit: 50, windowMs: WINDOW_MS }),
};

export type AuthorizedUser = { id: number; username: string; authVersion: number };

/**
 * Checks a username and password from `ip`. Every attempt is counted before the password is
 * looked at, so parallel guesses cannot slip past the limit; a correct password clears the
 * username+IP counter and takes its attempt back from the others. Throws LoginError for a wrong
 * password, a disabled account or too many attempts (the last even when the password is right).
 */
export async function authorizeCredentials(input: unknown, ip: string): Promise<AuthorizedUser> {
  const parsed = ZLoginInput.safeParse(input);
  const username = parsed.success ? parsed.data.username : "";
  const who = username.toLowerCase();
  const pair = `${ip}|${who}`;

  const hits = await Promise.all([LOGIN_LIMITS.ipUser.hit(pair), LOGIN_LIMITS.ip.hit(ip), LOGIN_LIMITS.user.hit(who)]);
  const blocked = hits.filter((h) => !h.allowed);
  if (blocked.length) {
    const ms = Math.max(...blocked.map((h) => h.resetMs));
    throw new LoginError("rate_limited", Math.max(1, Math.ceil(ms / 60_000)));
  }
  if (!parsed.success) throw new LoginError("invalid");

  const user = await db.user.findUnique({
    where: { username },
    select: { id: true, username: true, passwordHash: true, status: true, authVersion: true },
  });
  // an unknown username costs as much as a known one, so timing does not tell them apart
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok) throw new LoginError("invalid");

  await Promise.all([LOGIN_LIMITS.ipUser.reset(pair), LOGIN_LIMITS.ip.undo(ip), LOGIN_LIMITS.user.undo(who)]);
  // only told to someone who knows the password
  if (user.status !== USER_STATUS.enabled) throw new LoginError("disabled");

  await db.$transaction([
    db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }),
    db.log.create({ data: { userId: user.id, username: user.username, type: LOG_TYPE.login, content: "login", ip } }),
  ]);
  return { id: user.id, username: user.username, authVersion: user.authVersion };
}
