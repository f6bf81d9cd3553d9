import "server-only";
import { db } from "@/lib/db";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "@/lib/users/password";
import { USER_STATUS } from "@/lib/users/schemas";
import { loginError } from "./errors";
import { ZLoginInput } from "./schemas";

// Credentials sign-in: rate limits, password check, the login log. Free of next/* so the
// integration tests call it directly; lib/auth/options.ts mounts it in next-auth's authorize.

const WINDOW_MS = 15 * 60_000;
/** the nth lock-out of an (IP, username) pair within a day lasts LOCK_BASE_MS · 2^(n-1), at most LOCK_MAX_MS */
const LOCK_BASE_MS = WINDOW_MS;
const LOCK_MAX_MS = 4 * 60 * 60_000;
const STRIKE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * Attempts per 15 minutes. The (IP, username) pair is the real limit, and its lock grows with every
 * lock-out in a day (15 min, 30, 60, … 4 h); the per-IP cap stops one address from trying many
 * usernames. The per-username count never locks an account by itself — a stranger with a few
 * addresses must not lock the owner (root included) out — it only marks the username as under
 * attack, and then an address that has already tried it in this window gets no second guess while
 * an address that has not (the owner's) still gets in with the right password.
 */
export const LOGIN_LIMITS = {
  ipUser: rateLimiter({ name: "login:ip-user", limit: 5, windowMs: WINDOW_MS }),
  ip: rateLimiter({ name: "login:ip", limit: 30, windowMs: WINDOW_MS }),
  /** lock-outs of a pair in the last day; only the count is used */
  strikes: rateLimiter({ name: "login:ip-user-strikes", limit: Number.MAX_SAFE_INTEGER, windowMs: STRIKE_WINDOW_MS }),
  /** attempts at a username from every address: under attack above the limit */
  user: rateLimiter({ name: "login:user", limit: 50, windowMs: WINDOW_MS }),
};

export type AuthorizedUser = { id: number; username: string; authVersion: number };

/**
 * Checks a username and password from `ip`. Every attempt is counted before the password is
 * looked at, so parallel guesses cannot slip past the limit; a correct password clears the pair's
 * counter and lock-outs and takes its attempt back from the others. Throws loginError for a wrong
 * password, a disabled account or too many attempts (the last even when the password is right).
 */
export async function authorizeCredentials(input: unknown, ip: string): Promise<AuthorizedUser> {
  const parsed = ZLoginInput.safeParse(input);
  const username = parsed.success ? parsed.data.username : "";
  const who = username.toLowerCase();
  const pair = `${ip}|${who}`;

  const [pairHit, ipHit, userHit] = await Promise.all([
    LOGIN_LIMITS.ipUser.hit(pair),
    LOGIN_LIMITS.ip.hit(ip),
    LOGIN_LIMITS.user.hit(who),
  ]);
  const underAttack = !userHit.allowed;
  const waits: number[] = [];
  if (!pairHit.allowed || (underAttack && pairHit.count > 1)) waits.push(pairHit.resetMs);
  if (!ipHit.allowed) waits.push(ipHit.resetMs);
  if (waits.length) throw loginError("rate_limited", Math.max(1, Math.ceil(Math.max(...waits) / 60_000)));
  if (!parsed.success) throw loginError("invalid");

  const user = await db.user.findUnique({
    where: { username },
    select: { id: true, username: true, passwordHash: true, status: true, authVersion: true },
  });
  // an unknown username costs as much as a known one, so timing does not tell them apart
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok) {
    // the failure that uses up the pair's attempts locks it, longer at every lock-out of the day
    if (pairHit.count >= LOGIN_LIMITS.ipUser.rule.limit) await lockPair(pair);
    throw loginError("invalid");
  }

  await Promise.all([
    LOGIN_LIMITS.ipUser.reset(pair),
    LOGIN_LIMITS.strikes.reset(pair),
    LOGIN_LIMITS.ip.undo(ip),
    LOGIN_LIMITS.user.undo(who),
  ]);
  // only told to someone who knows the password
  if (user.status !== USER_STATUS.enabled) throw loginError("disabled");

  await db.$transaction([
    db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }),
    db.log.create({ data: { userId: user.id, username: user.username, type: LOG_TYPE.login, content: "login", ip } }),
  ]);
  return { id: user.id, username: user.username, authVersion: user.authVersion };
}

/** Exponential backoff: the pair's window is kept open 15 min · 2^(lock-outs today − 1), at most 4 h. */
async function lockPair(pair: string): Promise<void> {
  const { count } = await LOGIN_LIMITS.strikes.hit(pair);
  await LOGIN_LIMITS.ipUser.extend(pair, Math.min(LOCK_BASE_MS * 2 ** Math.min(count - 1, 20), LOCK_MAX_MS));
}
