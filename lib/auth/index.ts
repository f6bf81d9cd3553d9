import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/errors";
import { ROLE } from "@/lib/users/schemas";
import { authOptions } from "./options";
import { loadSessionUser, type SessionUser } from "./session";

// Session helpers for pages, actions and route handlers. The JWT only says who signed in and for
// which auth_version; every check loads the user again (./session.ts), so disabling a user,
// changing their role or bumping auth_version (sign-out, password change) takes effect on their
// next request.

export type { SessionUser } from "./session";

export const isAdmin = (user: Pick<SessionUser, "role">) => user.role >= ROLE.admin;

/** The current user, or null when not signed in, disabled or signed out by an auth_version bump. */
export const getSessionUser = cache(async (): Promise<SessionUser | null> =>
  loadSessionUser(await getServerSession(authOptions)),
);

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
