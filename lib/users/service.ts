import "server-only";
import { db, Prisma, type Db } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { randomAlphanumeric } from "@/lib/random";
import { grantRegistrationRewards } from "@/lib/quota/credits";
import { hashPassword } from "./password";
import { ROLE, ZCreateUserInput, ZRegisterInput, type TCreateUserInput, type TRegisterInput } from "./schemas";

/** 62^10 ≈ 8·10^17 codes: collisions are vanishingly rare, and retried when they happen */
export const AFF_CODE_LENGTH = 10;
const CREATE_ATTEMPTS = 5;

const isUniqueViolation = (e: unknown, field: string) =>
  e instanceof Prisma.PrismaClientKnownRequestError &&
  e.code === "P2002" &&
  JSON.stringify(e.meta ?? {}).includes(field);

type NewUser = { username: string; passwordHash: string; role: number; group: string; displayName: string; inviterId: number | null };

/** Inserts the user row, retrying with a fresh aff code on the (rare) collision. */
async function insertUser(tx: Db, data: NewUser) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx.user.create({
        data: { ...data, affCode: randomAlphanumeric(AFF_CODE_LENGTH) },
        select: { id: true, username: true, role: true, group: true, affCode: true },
      });
    } catch (e) {
      if (isUniqueViolation(e, "username")) {
        throw new AppError("username_taken", "This username is already taken", 409, { username: ["This username is already taken"] });
      }
      if (isUniqueViolation(e, "aff_code") && attempt < CREATE_ATTEMPTS) continue;
      throw e;
    }
  }
}

async function assertUsernameFree(username: string) {
  const taken = await db.user.findUnique({ where: { username }, select: { id: true } });
  if (taken) throw new AppError("username_taken", "This username is already taken", 409, { username: ["This username is already taken"] });
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
  const inviter = affCode
    ? await db.user.findUnique({ where: { affCode }, select: { id: true } })
    : null;
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
  return insertUser(db, { username, passwordHash, role: ROLE[role], group, displayName: displayName ?? username, inviterId: null });
}

export async function getUserByUsername(username: string) {
  return db.user.findUnique({ where: { username } });
}
