import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { randomAlphanumeric } from "@/lib/random";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { verifyPassword } from "./password";
import { ROLE } from "./schemas";
import { createUser, getUserByUsernameIgnoreCase } from "./service";

const DEFAULT_ROOT_USERNAME = "root";
const GENERATED_PASSWORD_LENGTH = 20;

export type RootAccount = {
  status: "created" | "promoted" | "exists";
  userId: number;
  username: string;
  /** only when this call generated the password: shown once, never stored in clear */
  generatedPassword?: string;
};

type RootCredentials = { username?: string; password?: string };

const fromEnv = (): RootCredentials => ({
  username: env().TOLLGATE_ROOT_USERNAME,
  password: env().TOLLGATE_ROOT_PASSWORD,
});

/**
 * Makes sure the instance has a root account, at every start.
 * - TOLLGATE_ROOT_USERNAME names it: created if missing (with TOLLGATE_ROOT_PASSWORD, else a
 *   generated password); an existing non-root user of that name is promoted only when
 *   TOLLGATE_ROOT_PASSWORD proves it is the operator's account.
 * - Without it: nothing happens while any root exists; otherwise `root` is created.
 * An existing password is never changed nor returned. Safe to run from several nodes at once.
 */
export async function ensureRootAccount(credentials: RootCredentials = fromEnv()): Promise<RootAccount> {
  const wanted = credentials.username?.trim() || undefined;
  const password = credentials.password || undefined;

  if (!wanted) {
    const root = await db.user.findFirst({
      where: { role: ROLE.root },
      orderBy: { id: "asc" },
      select: { id: true, username: true },
    });
    if (root) return { status: "exists", userId: root.id, username: root.username };
  }

  // names are unique ignoring case: TOLLGATE_ROOT_USERNAME=Root names the existing "root"
  const match = await getUserByUsernameIgnoreCase(wanted ?? DEFAULT_ROOT_USERNAME);
  const username = match?.username ?? wanted ?? DEFAULT_ROOT_USERNAME;
  const existing = match
    ? await db.user.findUnique({
        where: { id: match.id },
        select: { id: true, username: true, role: true, passwordHash: true },
      })
    : null;
  if (existing) {
    if (existing.role === ROLE.root) return { status: "exists", userId: existing.id, username };
    if (!password || !(await verifyPassword(password, existing.passwordHash))) {
      throw new AppError(
        "root_account_conflict",
        `User "${username}" exists but is not root; set TOLLGATE_ROOT_PASSWORD to that account's password to promote it, or name another TOLLGATE_ROOT_USERNAME`,
        409,
      );
    }
    await promoteToRoot(existing.id, username, existing.role);
    return { status: "promoted", userId: existing.id, username };
  }

  const chosen = password ?? randomAlphanumeric(GENERATED_PASSWORD_LENGTH);
  try {
    const user = await createUser({ username, password: chosen, role: "root", group: "default" });
    return {
      status: "created",
      userId: user.id,
      username: user.username,
      ...(password ? {} : { generatedPassword: chosen }),
    };
  } catch (e) {
    // another node created it between our read and our insert: its account stands
    if (isAppError(e) && e.code === "username_taken") return ensureRootAccount(credentials);
    if (isAppError(e) && e.code === "validation") {
      throw new AppError(
        "validation",
        `TOLLGATE_ROOT_USERNAME/TOLLGATE_ROOT_PASSWORD: ${e.message}`,
        400,
        e.fieldErrors,
      );
    }
    throw e;
  }
}

async function promoteToRoot(userId: number, username: string, fromRole: number) {
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { role: ROLE.root, authVersion: { increment: 1 } } });
    await tx.log.create({
      data: {
        userId,
        username,
        type: LOG_TYPE.manage,
        content: `Promoted to root at startup (TOLLGATE_ROOT_USERNAME)`,
        other: { op: { action: "user.role", params: { from: fromRole, to: ROLE.root } }, operator: "bootstrap" },
      },
    });
  });
}
