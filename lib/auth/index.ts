import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { notFound, redirect } from "next/navigation";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { ROLE, USER_STATUS } from "@/lib/users/schemas";
import { authOptions } from "./options";

// Session helpers. The JWT only says who signed in and for which auth_version; every check loads
// the user again, so disabling a user, changing their role or bumping auth_version takes effect on
// their next request.

export { authOptions } from "./options";

/** the signed-in user as every server component, action and route handler sees it */
export type SessionUser = {
  id: number;
  username: string;
  displayName: string;
  role: number;
  group: string;
};

export const isAdmin = (user: Pick<SessionUser, "role">) => user.role >= ROLE.admin;
export const isRoot = (user: Pick<SessionUser, "role">) => user.role >= ROLE.root;

/** The current user, or null when not signed in, disabled or signed out by an auth_version bump. */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
  const uid = session?.uid;
  if (!uid || !Number.isSafeInteger(uid)) return null;
  const user = await db.user.findUnique({
    where: { id: uid },
    select: { id: true, username: true, displayName: true, role: true, group: true, status: true, authVersion: true },
  });
  if (!user || user.status !== USER_STATUS.enabled || user.authVersion !== session.av) return null;
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role, group: user.group };
});

/** For server actions and route handlers: the user, or AppError unauthenticated (401) / forbidden (403). */
export async function getSessionUserOrThrow(minRole: number = ROLE.user): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new AppError("unauthenticated", "Please sign in first", 401);
  if (user.role < minRole) throw new AppError("forbidden", "You do not have permission to do this", 403);
  return user;
}

/** For pages and layouts: the user, or a redirect to /login. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  return user;
}

/** For admin pages: a user with role ≥ 10, else /login (signed out) or a 404 (not an admin). */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser();
  if (!isAdmin(user)) notFound();
  return user;
}

/** For root-only pages: role 100, else /login or a 404. */
export async function requireRoot(): Promise<SessionUser> {
  const user = await requireUser();
  if (!isRoot(user)) notFound();
  return user;
}
