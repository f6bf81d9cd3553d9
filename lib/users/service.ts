import "server-only";
import { db, Prisma, type Db } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { invalidate } from "@/lib/cache/bus";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { randomAlphanumeric } from "@/lib/random";
import { grantRegistrationRewards } from "@/lib/quota/credits";
import { hashPassword, verifyPassword } from "./password";
import {
  ROLE,
  ZChangePasswordInput,
  ZCreateUserInput,
  ZRegisterInput,
  type TChangePasswordInput,
  type TCreateUserInput,
  type TRegisterInput,
} from "./schemas";

/** 62^10 ≈ 8·10^17 codes: collisions are vanishingly rare, and retried when they happen */
const AFF_CODE_LENGTH = 10;
const CREATE_ATTEMPTS = 5;

const isUniqueViolation = (e: unknown, field: string) =>
  e instanceof Prisma.PrismaClientKnownRequestError &&
  e.code === "P2002" &&
  JSON.stringify(e.meta ?? {}).includes(field);

const usernameTaken = () =>
  new AppError("username_taken", "This username is already taken", 409, {
    username: ["This username is already taken"],
  });

type NewUser = {
  username: string;
  passwordHash: string;
  role: number;
  group: string;
  displayName: string;
  inviterId: number | null;
  email?: string;
  remark?: string;
};

/** Inserts the user row, retrying with a fresh aff code on the (rare) collision. */
export async function insertUser(tx: Db, data: NewUser) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx.user.create({
        data: { ...data, affCode: randomAlphanumeric(AFF_CODE_LENGTH) },
        select: { id: true, username: true, role: true, group: true, affCode: true },
      });
    } catch (e) {
      // username: the exact unique index; username_lower: the case-insensitive one (a race past assertUsernameFree)
      if (isUniqueViolation(e, "username")) throw usernameTaken();
      if (isUniqueViolation(e, "aff_code") && attempt < CREATE_ATTEMPTS) continue;
      throw e;
    }
  }
}

/** the user whose name equals `username` ignoring case (names are unique that way, see the users_username_lower_key index) */
export async function getUserByUsernameIgnoreCase(
  username: string,
  client: Db = db,
): Promise<{ id: number; username: string } | null> {
  const rows = await client.$queryRaw<{ id: number; username: string }[]>`
    SELECT id, username FROM users WHERE lower(username) = lower(${username}) LIMIT 1`;
  return rows[0] ?? null;
}

export async function assertUsernameFree(username: string) {
  if (await getUserByUsernameIgnoreCase(username)) throw usernameTaken();
}

/**
 * Self-service registration. The new user gets QuotaForNewUser; with a valid aff code the invitee
 * and the inviter get their rewards (lib/quota/credits), all in one transaction with the insert.
 */
export async function registerUser(input: TRegisterInput) {
  const parsed = ZRegisterInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { username, password, affCode } = parsed.data;
  await assertUsernameFree(username);
  const inviter = affCode ? await db.user.findUnique({ where: { affCode }, select: { id: true } }) : null;
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await insertUser(tx, {
      username,
      passwordHash,
      role: ROLE.user,
      group: "default",
      displayName: username,
      inviterId: inviter?.id ?? null,
    });
    await grantRegistrationRewards(tx, { userId: user.id, username: user.username, inviterId: inviter?.id ?? null });
    return user;
  });
}

/** Operator-created user (CLI, admin page, root bootstrap): no gifts and no invitation rewards. */
export async function createUser(input: TCreateUserInput) {
  const parsed = ZCreateUserInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { username, password, role, group, displayName } = parsed.data;
  await assertUsernameFree(username);
  const passwordHash = await hashPassword(password);
  return insertUser(db, {
    username,
    passwordHash,
    role: ROLE[role],
    group,
    displayName: displayName ?? username,
    inviterId: null,
  });
}

// Sessions are JWTs that carry the user's auth_version (lib/auth): every session check compares it
// with users.auth_version, so bumping the version ends every session issued before.

/**
 * Ends the sessions of `userId` issued for `authVersion` (sign-out). A token already revoked (an
 * older version) changes nothing, so a stale cookie cannot sign out the sessions that replaced it.
 * Returns whether a version was bumped.
 */
export async function revokeSessions(userId: number, authVersion: number): Promise<boolean> {
  const { count } = await db.user.updateMany({
    where: { id: userId, authVersion },
    data: { authVersion: { increment: 1 } },
  });
  if (count) invalidate("user", userId);
  return count === 1;
}

/**
 * Wrong current passwords a user may send in 15 minutes before the form stops checking them: a
 * stolen session must not become a way to guess the password behind it. A correct one clears it.
 */
export const PASSWORD_CHANGE_LIMIT = rateLimiter({ name: "password-change:user", limit: 5, windowMs: 15 * 60_000 });

const wrongPassword = () =>
  new AppError("wrong_password", "The current password is wrong", 400, {
    currentPassword: ["The current password is wrong"],
  });

/**
 * Changes a user's password after checking the current one, and ends every session of that user
 * (other devices, a stolen cookie, and the one that asked) by bumping auth_version in the same
 * statement. Returns the new auth_version.
 */
export async function changePassword(userId: number, input: TChangePasswordInput): Promise<{ authVersion: number }> {
  const parsed = ZChangePasswordInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { currentPassword, newPassword } = parsed.data;
  // counted before the password is looked at, so parallel guesses cannot slip past the limit
  const attempt = await PASSWORD_CHANGE_LIMIT.hit(String(userId));
  if (!attempt.allowed) {
    const message = "Too many wrong passwords. Please try again later.";
    throw new AppError("password_rate_limited", message, 429, { currentPassword: [message] });
  }
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!user) throw new AppError("not_found", "User not found", 404);
  if (!(await verifyPassword(currentPassword, user.passwordHash))) throw wrongPassword();
  await PASSWORD_CHANGE_LIMIT.reset(String(userId));
  const passwordHash = await hashPassword(newPassword);
  // guarded by the hash just checked: two changes at once cannot both pass with the old password
  const updated = await db.user.updateManyAndReturn({
    where: { id: userId, passwordHash: user.passwordHash },
    data: { passwordHash, authVersion: { increment: 1 } },
    select: { authVersion: true },
  });
  if (updated.length !== 1) throw wrongPassword();
  invalidate("user", userId);
  return { authVersion: updated[0].authVersion };
}
