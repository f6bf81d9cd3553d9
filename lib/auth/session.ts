import "server-only";
import { db } from "@/lib/db";
import { USER_STATUS } from "@/lib/users/schemas";

// What a session cookie grants, checked on every request: the JWT names a user and the
// auth_version it was issued for; the user must still be enabled and still be at that version
// (sign-out and password changes bump it). Free of next/* so the integration tests call it.

/** the signed-in user as every server component, action and route handler sees it */
export type SessionUser = {
  id: number;
  username: string;
  displayName: string;
  role: number;
  group: string;
};

/** the claims Tollgate keeps in the JWT */
export type SessionClaims = { uid?: unknown; av?: unknown };

/**
 * The user of a session, or null when the claims are malformed, the user is gone or disabled, or
 * the session was ended. One primary-key read, not cached: disabling a user or ending a session
 * takes effect on the very next request, also when the row was changed outside this process.
 */
export async function loadSessionUser(claims: SessionClaims | null | undefined): Promise<SessionUser | null> {
  const uid = claims?.uid;
  const av = claims?.av;
  if (typeof uid !== "number" || !Number.isSafeInteger(uid) || typeof av !== "number") return null;
  const user = await db.user.findUnique({
    where: { id: uid },
    select: { id: true, username: true, displayName: true, role: true, group: true, status: true, authVersion: true },
  });
  if (!user || user.status !== USER_STATUS.enabled || user.authVersion !== av) return null;
  return { id: user.id, username: user.username, displayName: user.displayName, role: user.role, group: user.group };
}
