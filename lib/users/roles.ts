import { translatedError, type AppError } from "@/lib/errors";
import type { MessageKey } from "@/lib/i18n";
import { ROLE, USER_STATUS } from "./schemas";

// The role rules of the admin console, checked by the services (lib/users/admin.ts and the quota
// change they guard), never only by hiding a button:
//   - root manages anyone; an admin only users of a lower role (new-api's canManageTargetRole),
//     so an admin cannot edit, disable or top up another admin, a root, or themselves;
//   - only root gives or takes the admin (or root) role;
//   - nobody changes their own role or disables themselves;
//   - nobody demotes or disables the last enabled root (the service counts them under a lock).

export type Actor = { id: number; role: number };
export type TargetUser = { id: number; role: number; status: number };
export type UserChange = { role?: number; status?: number };

function refuse(key: MessageKey, message: string, code = "forbidden", status = 403): AppError {
  return translatedError(code, message, status, { key });
}

export const canManage = (actor: Actor, targetRole: number) => actor.role >= ROLE.root || actor.role > targetRole;

export function assertCanManage(actor: Actor, target: { role: number }): void {
  if (!canManage(actor, target.role)) {
    throw refuse("adminUsers.error.higherRole", "You cannot manage a user whose role is equal to or higher than yours");
  }
}

/** the roles `actor` may give (a new user, or an edit) */
export function grantableRoles(actor: Actor): number[] {
  return actor.role >= ROLE.root ? [ROLE.user, ROLE.admin, ROLE.root] : [ROLE.user];
}

export function assertCanGrantRole(actor: Actor, role: number): void {
  if (!grantableRoles(actor).includes(role)) {
    throw refuse("adminUsers.error.rootOnly", "Only root can give or take the admin role");
  }
}

/**
 * The rules of an edit that need no database. Returns whether the edit would take away an
 * enabled root (a demotion or a disable), which the service allows only while another enabled
 * root remains.
 */
export function assertCanUpdate(actor: Actor, target: TargetUser, change: UserChange): { removesRoot: boolean } {
  assertCanManage(actor, target);
  const roleChanges = change.role !== undefined && change.role !== target.role;
  if (roleChanges && actor.id === target.id) {
    throw refuse("adminUsers.error.ownRole", "You cannot change your own role");
  }
  if (roleChanges && (target.role >= ROLE.admin || (change.role ?? 0) >= ROLE.admin)) {
    assertCanGrantRole(actor, Math.max(target.role, change.role ?? 0));
  }
  const disables = change.status === USER_STATUS.disabled && target.status !== USER_STATUS.disabled;
  if (disables && actor.id === target.id) {
    throw refuse("adminUsers.error.selfDisable", "You cannot disable your own account");
  }
  const isEnabledRoot = target.role >= ROLE.root && target.status === USER_STATUS.enabled;
  return { removesRoot: isEnabledRoot && ((roleChanges && (change.role ?? 0) < ROLE.root) || disables) };
}

export const lastRootError = () =>
  refuse("adminUsers.error.lastRoot", "The last enabled root cannot be demoted or disabled", "last_root", 409);
