"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { adminAction, authedAction, publicAction } from "@/lib/actions";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { getDashboard } from "./queries";
import { registerFromIp } from "./register";
import { listKeys } from "@/lib/keys/queries";
import { adjustQuotaAsAdmin, createUserAsAdmin, updateUserAsAdmin, ZAdjustQuotaForm } from "./admin";
import { listAdminUsers } from "./admin-queries";
import {
  ZAdminCreateUserInput,
  ZAdminUpdateUserInput,
  ZAdminUserListInput,
  ZChangePasswordForm,
  ZRegisterForm,
  ZUserId,
} from "./schemas";
import { changePassword } from "./service";

/** Self-service sign-up (with `affCode` from ?aff=). The client signs the new user in afterwards. */
export const registerAction = publicAction(ZRegisterForm, async ({ username, password, affCode }) => {
  const ip = clientIp(await headers());
  const user = await registerFromIp({ username, password, affCode: affCode || undefined }, ip);
  return { username: user.username };
});

/** Balance, usage and invitation figures of the signed-in user (dashboard and wallet). */
export const accountSummaryAction = authedAction(z.strictObject({}), async (_input, user) => {
  const summary = await getDashboard(user.id);
  if (!summary) throw new AppError("user_not_found", "User not found", 404);
  return summary;
});

/**
 * The settings page's password change. Every session of the user ends, this one included (the
 * client then signs out and shows the sign-in page with a notice): whoever holds an old cookie,
 * on another device or stolen, is out, and the person who changed it signs in with the new one.
 */
export const changePasswordAction = authedAction(
  ZChangePasswordForm,
  async ({ currentPassword, newPassword }, user) => {
    await changePassword(user.id, { currentPassword, newPassword });
    return { signedOut: true as const };
  },
);

// ---- the admin console (role ≥ 10; the role rules are the services')

async function requestIp(): Promise<string> {
  return clientIp(await headers());
}

const operatorOf = (user: { id: number; username: string; role: number }) => ({
  id: user.id,
  username: user.username,
  role: user.role,
});

/** A page of users: search, sort, keyset position. */
export const adminUsersAction = adminAction(ZAdminUserListInput, async (input) => listAdminUsers(input));

export const createUserAdminAction = adminAction(ZAdminCreateUserInput, async (input, user) =>
  createUserAsAdmin(operatorOf(user), input, { ip: await requestIp() }),
);

export const updateUserAdminAction = adminAction(ZAdminUpdateUserInput, async (input, user) =>
  updateUserAsAdmin(operatorOf(user), input, { ip: await requestIp() }),
);

export const adjustUserQuotaAdminAction = adminAction(ZAdjustQuotaForm, async (input, user) =>
  adjustQuotaAsAdmin(operatorOf(user), input, { ip: await requestIp() }),
);

/** A user's API keys, read-only (masked, as their owner sees them). */
export const adminUserKeysAction = adminAction(z.strictObject({ userId: ZUserId }), async ({ userId }) =>
  listKeys(userId),
);
