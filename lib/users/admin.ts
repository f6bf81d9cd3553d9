import "server-only";
import { db, type Db } from "@/lib/db";
import { translatedError, validationError } from "@/lib/errors";
import { invalidateEverywhere } from "@/lib/cache/bus";
import { auditQuotaChange, recordAdminAction } from "@/lib/audit/service";
import { ZAmountText } from "@/lib/keys/schemas";
import { getOptions } from "@/lib/options/service";
import { adjustUserQuota } from "@/lib/quota/credits";
import { displayOf, formatQuota, parseAmount } from "@/lib/quota/money";
import { MAX_QUOTA, ZQuotaReason } from "@/lib/quota/schemas";
import { z } from "zod";
import { getAdminUser, type AdminUserDTO } from "./admin-queries";
import { knownGroups } from "./groups";
import { hashPassword } from "./password";
import { assertCanGrantRole, assertCanManage, assertCanUpdate, lastRootError, type Actor } from "./roles";
import {
  ROLE,
  USER_STATUS,
  ZAdminCreateUserInput,
  ZAdminUpdateUserInput,
  ZUserId,
  roleName,
  type TAdminCreateUserInput,
  type TAdminUpdateUserInput,
} from "./schemas";
import { assertUsernameFree, insertUser } from "./service";

// The admin console's writes on users: create, edit (display name, email, group, role, status,
// remark) and add / subtract / set quota with a reason. Each checks the role rules (./roles.ts)
// against the row it locks, and records an audit row in its transaction (lib/audit). Disabling a
// user (or changing their group) reaches the key cache of every node before the call returns.

export type AdminOperator = Actor & { username: string };
export type AdminContext = { ip?: string };

async function assertKnownGroup(group: string): Promise<void> {
  if (!knownGroups(await getOptions()).includes(group)) {
    throw translatedError("unknown_group", `Unknown group "${group}"`, 400, {
      key: "adminUsers.error.unknownGroup",
      vars: { group },
      field: "group",
    });
  }
}

async function assertEmailFree(client: Db, email: string, exceptId = 0): Promise<void> {
  if (!email) return;
  const rows = await client.$queryRaw<{ id: number }[]>`
    SELECT id FROM users WHERE lower(email) = ${email} AND id <> ${exceptId} LIMIT 1`;
  if (rows.length) {
    throw translatedError("email_taken", "This email address is already used by another account", 409, {
      key: "adminUsers.error.emailTaken",
      field: "email",
    });
  }
}

const userNotFound = () =>
  translatedError("user_not_found", "User not found", 404, { key: "adminUsers.error.notFound" });

/** A user made by an admin: no gifts, no invitation; only root makes admins and roots. */
export async function createUserAsAdmin(
  operator: AdminOperator,
  input: TAdminCreateUserInput,
  ctx: AdminContext = {},
): Promise<AdminUserDTO> {
  const parsed = ZAdminCreateUserInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const role = ROLE[v.role];
  assertCanGrantRole(operator, role);
  await assertKnownGroup(v.group);
  await assertUsernameFree(v.username);
  await assertEmailFree(db, v.email);
  const passwordHash = await hashPassword(v.password);
  const displayName = v.displayName || v.username;
  const id = await db.$transaction(async (tx) => {
    const user = await insertUser(tx, {
      username: v.username,
      passwordHash,
      role,
      group: v.group,
      displayName,
      inviterId: null,
      email: v.email,
      remark: v.remark,
    });
    await recordAdminAction(tx, operator, {
      action: "user.create",
      targetType: "user",
      targetId: user.id,
      after: { username: user.username, displayName, email: v.email, role: v.role, group: v.group, remark: v.remark },
      ip: ctx.ip,
    });
    return user.id;
  });
  return (await getAdminUser(id))!;
}

type Editable = "displayName" | "email" | "group" | "role" | "status" | "remark";

/**
 * An admin's edit of a user. Only the fields sent are changed; the audit row holds the values
 * before and after of those that did change (none changed: nothing is written).
 */
export async function updateUserAsAdmin(
  operator: AdminOperator,
  input: TAdminUpdateUserInput,
  ctx: AdminContext = {},
): Promise<AdminUserDTO> {
  const parsed = ZAdminUpdateUserInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const v = parsed.data;
  const next: Partial<Record<Editable, string | number>> = {
    displayName: v.displayName,
    email: v.email,
    group: v.group,
    role: v.role === undefined ? undefined : ROLE[v.role],
    status: v.status === undefined ? undefined : USER_STATUS[v.status],
    remark: v.remark,
  };
  const changed = await db.$transaction(async (tx) => {
    // the enabled roots first, always in id order: two edits that could each take away a root
    // wait for one another here (instead of deadlocking), and the second counts what the first left
    if (next.role !== undefined || next.status !== undefined) {
      await tx.$queryRaw`SELECT id FROM users WHERE role >= ${ROLE.root} AND status = ${USER_STATUS.enabled} ORDER BY id FOR UPDATE`;
    }
    const rows = await tx.$queryRaw<
      { role: number; status: number; displayName: string; email: string; group: string; remark: string }[]
    >`SELECT role, status, display_name AS "displayName", email, "group", remark FROM users WHERE id = ${v.id} FOR UPDATE`;
    if (!rows.length) throw userNotFound();
    const current = rows[0];
    const { removesRoot } = assertCanUpdate(
      operator,
      { id: v.id, role: current.role, status: current.status },
      { role: next.role as number | undefined, status: next.status as number | undefined },
    );
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const data: Record<string, string | number> = {};
    for (const [field, value] of Object.entries(next) as [Editable, string | number | undefined][]) {
      if (value === undefined || value === current[field]) continue;
      data[field] = value;
      // roles and states by name in the trail
      before[field] =
        field === "role" ? roleName(current.role) : field === "status" ? statusName(current.status) : current[field];
      after[field] =
        field === "role" ? roleName(value as number) : field === "status" ? statusName(value as number) : value;
    }
    if (Object.keys(data).length === 0) return data;
    if (data.group !== undefined) await assertKnownGroup(String(data.group));
    if (data.email) await assertEmailFree(tx, String(data.email), v.id);
    if (removesRoot) {
      const others = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM users WHERE role >= ${ROLE.root} AND status = ${USER_STATUS.enabled} AND id <> ${v.id}`;
      if (others[0].n === 0) throw lastRootError();
    }
    await tx.user.update({ where: { id: v.id }, data });
    await recordAdminAction(tx, operator, {
      action: "user.update",
      targetType: "user",
      targetId: v.id,
      before,
      after,
      ip: ctx.ip,
    });
    return data;
  });
  // the key cache holds the user's status and group: every node drops it before we answer
  if (changed.status !== undefined || changed.group !== undefined || changed.role !== undefined) {
    await invalidateEverywhere("user", v.id);
  }
  return (await getAdminUser(v.id))!;
}

const statusName = (status: number) => (status === USER_STATUS.enabled ? "enabled" : "disabled");

/** the quota form: an amount typed in the display unit, and a reason */
export const ZAdjustQuotaForm = z.strictObject({
  userId: ZUserId,
  mode: z.enum(["add", "subtract", "set"]),
  amount: ZAmountText.pipe(z.string().min(1, "Enter an amount")),
  reason: ZQuotaReason,
});
export type TAdjustQuotaForm = z.input<typeof ZAdjustQuotaForm>;

export type QuotaChangeDTO = { userId: number; from: string; to: string; delta: string; text: string };

/** An admin's add / subtract / set of a wallet (lib/quota/credits), within the role rules. */
export async function adjustQuotaAsAdmin(
  operator: AdminOperator,
  form: TAdjustQuotaForm,
  ctx: AdminContext = {},
): Promise<QuotaChangeDTO> {
  const parsed = ZAdjustQuotaForm.safeParse(form);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { userId, mode, amount: text, reason } = parsed.data;
  const display = displayOf(await getOptions());
  const amount = parseAmount(text, display, MAX_QUOTA);
  if (!amount.ok) {
    const max = formatQuota(MAX_QUOTA, display);
    throw translatedError("validation", "Not a valid amount", 400, {
      key:
        amount.reason === "negative"
          ? "keys.error.amountNegative"
          : amount.reason === "too_large"
            ? "adminUsers.error.amountTooLarge"
            : display.type === "TOKENS"
              ? "keys.error.amountFormatTokens"
              : "keys.error.amountFormat",
      vars: { max },
      field: "amount",
    });
  }
  if (mode !== "set" && amount.quota === 0n) {
    throw translatedError("validation", "Amount must be greater than 0", 400, {
      key: "adminUsers.error.amountZero",
      field: "amount",
    });
  }
  const r = await adjustUserQuota(
    operator,
    { userId, mode, amount: amount.quota, reason },
    { assertTarget: (target) => assertCanManage(operator, target), inTransaction: auditQuotaChange(operator, ctx.ip) },
  );
  // every node's key cache forgets the wallet it knew: one that trusts it (lib/quota/reserve.ts
  // trustedWithoutReserve) must see a subtraction at the next request, not within seconds
  await invalidateEverywhere("user", userId);
  return {
    userId,
    from: r.from.toString(),
    to: r.to.toString(),
    delta: r.delta.toString(),
    text: `${formatQuota(r.from, display)} → ${formatQuota(r.to, display)}`,
  };
}
