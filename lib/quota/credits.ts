import "server-only";
import { db, type Db } from "@/lib/db";
import { AppError, translatedError, validationError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { balanceChanged } from "./events";
import { LOG_TYPE, REDEMPTION_STATUS } from "./row-types";
import { displayOf, formatQuota } from "./money";
import { MAX_QUOTA, ZAdjustQuotaInput, ZPositiveQuota, type TAdjustQuotaInput } from "./schemas";

// Every credit and manual change of a balance outside the request path: registration gifts,
// invitation rewards, admin add/subtract/set, redemption codes, aff transfers. Each is one
// transaction of atomic increments (never read-modify-write) plus its log row, so the ledger
// audit can recompute every balance from the logs. A credit also re-arms the low-balance alert
// when it brings the balance back to the threshold (rearmLowBalance, in the same transaction).

/** re-arms the user's low-balance alert if the balance is at the threshold again (docs/notifications.md) */
export async function rearmLowBalance(tx: Db, userId: number): Promise<void> {
  await tx.$queryRaw`SELECT tollgate_rearm_low_balance(${userId}::int)`;
}

/** `other.kind` of the log rows written here, so the wallet history names each credit without reading its text */
const CREDIT_KIND = {
  registerGift: "register_gift",
  inviteeGift: "invitee_gift",
  inviterReward: "inviter_reward",
  admin: "admin",
  redemption: "redemption",
  affTransfer: "aff_transfer",
} as const;

/**
 * Registration: QuotaForNewUser to the new wallet; with an inviter, QuotaForInvitee to the new
 * wallet and QuotaForInviter to the inviter's aff_quota and aff_history_quota, and aff_count + 1
 * even when that reward is 0 (new-api #6362). Runs inside the caller's transaction.
 */
export async function grantRegistrationRewards(
  tx: Db,
  args: { userId: number; username: string; inviterId: number | null },
): Promise<void> {
  const o = await getOptions();
  const display = displayOf(o);
  const gift = BigInt(o.QuotaForNewUser);
  if (gift > 0n) {
    await tx.user.update({ where: { id: args.userId }, data: { quota: { increment: gift } } });
    await tx.log.create({
      data: {
        userId: args.userId,
        username: args.username,
        type: LOG_TYPE.system,
        quota: gift,
        content: `New user registration gift ${formatQuota(gift, display)}`,
        other: { kind: CREDIT_KIND.registerGift },
      },
    });
  }
  if (args.inviterId === null) return;
  const inviteeGift = BigInt(o.QuotaForInvitee);
  if (inviteeGift > 0n) {
    await tx.user.update({ where: { id: args.userId }, data: { quota: { increment: inviteeGift } } });
    await tx.log.create({
      data: {
        userId: args.userId,
        username: args.username,
        type: LOG_TYPE.system,
        quota: inviteeGift,
        content: `Invitation code gift ${formatQuota(inviteeGift, display)}`,
        other: { kind: CREDIT_KIND.inviteeGift },
      },
    });
  }
  const reward = BigInt(o.QuotaForInviter);
  const inviter = await tx.user.update({
    where: { id: args.inviterId },
    data: { affCount: { increment: 1 }, affQuota: { increment: reward }, affHistoryQuota: { increment: reward } },
    select: { username: true },
  });
  if (reward > 0n) {
    await tx.log.create({
      data: {
        userId: args.inviterId,
        username: inviter.username,
        type: LOG_TYPE.system,
        affQuota: reward,
        content: `Invited user ${args.username}: reward ${formatQuota(reward, display)}`,
        other: { kind: CREDIT_KIND.inviterReward, invitee_id: args.userId },
      },
    });
  }
}

export type QuotaOperator = { id: number | null; username: string };

/** what adjustUserQuota changed, handed to its `inTransaction` */
export type QuotaChange = {
  userId: number;
  mode: TAdjustQuotaInput["mode"];
  amount: bigint;
  reason: string;
  from: bigint;
  to: bigint;
};

/** the manage log's `op.action` of each change (new-api's names) */
const LOG_ACTION = { add: "user.quota_add", subtract: "user.quota_subtract", set: "user.quota_override" } as const;

/**
 * Admin (or CLI) add / subtract / set of a wallet, with a required reason: a manage log on the
 * target user naming the operator, with the balance before and after, in one transaction. The
 * user's row is locked first, so before -> after is exact and `assertTarget` (the role rules of
 * lib/users, for the admin console) sees the role the change applies to. `inTransaction` runs in
 * the same transaction after the log row: the caller's admin audit row (lib/audit
 * auditQuotaChange), which commits or rolls back with the balance. A balance may not leave
 * [-MAX_QUOTA, MAX_QUOTA] through a change made here.
 */
export async function adjustUserQuota(
  operator: QuotaOperator,
  input: TAdjustQuotaInput,
  opts: {
    assertTarget?: (target: { id: number; role: number }) => void;
    inTransaction?: (tx: Db, change: QuotaChange) => Promise<void>;
  } = {},
) {
  const parsed = ZAdjustQuotaInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { userId, mode, amount, reason } = parsed.data;
  const display = displayOf(await getOptions());
  const result = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ quota: bigint; username: string; role: number }[]>`
      SELECT quota, username, role FROM users WHERE id = ${userId} FOR UPDATE`;
    if (!rows.length) throw new AppError("user_not_found", "User not found", 404);
    opts.assertTarget?.({ id: userId, role: rows[0].role });
    const { username } = rows[0];
    const from = rows[0].quota;
    const to = mode === "set" ? amount : mode === "add" ? from + amount : from - amount;
    if ((to > from && to > MAX_QUOTA) || (to < from && to < -MAX_QUOTA)) {
      const max = formatQuota(MAX_QUOTA, display);
      throw translatedError("quota_out_of_range", `The balance would leave the allowed range (±${max})`, 400, {
        key: "adminUsers.error.quotaOutOfRange",
        vars: { max },
        field: "amount",
      });
    }
    const delta = to - from;
    // the row is locked: an increment and an absolute write agree; the increment says what happened
    await tx.$executeRaw`UPDATE users SET quota = quota + ${delta} WHERE id = ${userId}`;
    await rearmLowBalance(tx, userId);
    const change =
      mode === "set"
        ? `changed the quota from ${formatQuota(from, display)} to ${formatQuota(to, display)}`
        : `${mode === "add" ? "added" : "subtracted"} ${formatQuota(amount, display)} (balance ${formatQuota(from, display)} -> ${formatQuota(to, display)})`;
    await tx.log.create({
      data: {
        userId,
        username,
        type: LOG_TYPE.manage,
        quota: delta,
        content: `Administrator ${operator.username} ${change}. Reason: ${reason}`,
        operatorId: operator.id,
        other: {
          kind: CREDIT_KIND.admin,
          op: {
            action: LOG_ACTION[mode],
            params: mode === "set" ? { from: from.toString(), to: to.toString() } : { quota: amount.toString() },
          },
          operator: operator.username,
          reason,
          before: from.toString(),
          after: to.toString(),
        },
      },
    });
    await opts.inTransaction?.(tx, { userId, mode, amount, reason, from, to });
    return { userId, from, to, delta };
  });
  balanceChanged({ kind: "admin", userId, userQuota: result.to });
  return result;
}

/**
 * Redeems a code: the claim is one conditional UPDATE (unused -> used), so concurrent attempts at
 * the same code credit exactly once. A refusal says why (unknown, used, disabled, expired): codes
 * are 128 random bits and failed attempts are rate-limited per user (lib/redemption), so telling
 * the reasons apart helps people without helping a guesser.
 */
export async function redeemCode(userId: number, key: string) {
  const code = key.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(code)) throw new AppError("redemption_not_found", "Invalid redemption code", 400);
  const display = displayOf(await getOptions());
  const result = await db.$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<{ id: number; quota: bigint }[]>`
      UPDATE redemptions SET status = ${REDEMPTION_STATUS.used}::smallint, redeemed_at = now(), used_user_id = ${userId}
      WHERE key = ${code} AND status = ${REDEMPTION_STATUS.unused}::smallint
        AND (expired_time = 0 OR expired_time >= extract(epoch FROM now())::bigint)
      RETURNING id, quota`;
    if (!claimed.length) {
      const row = await tx.redemption.findUnique({ where: { key: code }, select: { status: true } });
      if (!row) throw new AppError("redemption_not_found", "Invalid redemption code", 400);
      if (row.status === REDEMPTION_STATUS.used)
        throw new AppError("redemption_used", "This redemption code has already been used", 409);
      if (row.status === REDEMPTION_STATUS.disabled)
        throw new AppError("redemption_disabled", "This redemption code has been disabled", 400);
      throw new AppError("redemption_expired", "This redemption code has expired", 400);
    }
    const { id, quota } = claimed[0];
    const user = await tx.user.update({
      where: { id: userId },
      data: { quota: { increment: quota } },
      select: { quota: true, username: true },
    });
    await rearmLowBalance(tx, userId);
    await tx.log.create({
      data: {
        userId,
        username: user.username,
        type: LOG_TYPE.topup,
        quota,
        content: `Recharged ${formatQuota(quota, display)} via redemption code, code id ${id}`,
        other: { kind: CREDIT_KIND.redemption, redemption_id: id },
      },
    });
    return { quota, userQuota: user.quota };
  });
  balanceChanged({ kind: "redeem", userId, userQuota: result.userQuota });
  return result;
}

/** Moves invitation credit to the wallet: minimum QuotaPerUnit, one conditional UPDATE, one log. */
export async function transferAffQuota(userId: number, amountInput: unknown) {
  const parsed = ZPositiveQuota.safeParse(amountInput);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const amount = parsed.data;
  const o = await getOptions();
  const display = displayOf(o);
  if (amount < BigInt(o.QuotaPerUnit)) {
    const min = formatQuota(BigInt(o.QuotaPerUnit), display);
    throw translatedError("aff_transfer_too_small", `The minimum transfer is ${min}`, 400, {
      key: "wallet.transfer.tooSmall",
      vars: { min },
      field: "amount",
    });
  }
  const result = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ quota: bigint; aff_quota: bigint; username: string }[]>`
      UPDATE users SET aff_quota = aff_quota - ${amount}, quota = quota + ${amount}
      WHERE id = ${userId} AND aff_quota >= ${amount}
      RETURNING quota, aff_quota, username`;
    if (!rows.length) {
      throw translatedError("insufficient_aff_quota", "Not enough invitation quota", 400, {
        key: "error.insufficient_aff_quota",
        field: "amount",
      });
    }
    await rearmLowBalance(tx, userId);
    await tx.log.create({
      data: {
        userId,
        username: rows[0].username,
        type: LOG_TYPE.system,
        quota: amount,
        affQuota: -amount,
        content: `Transferred ${formatQuota(amount, display)} of invitation quota to the wallet`,
        other: { kind: CREDIT_KIND.affTransfer },
      },
    });
    return { quota: rows[0].quota, affQuota: rows[0].aff_quota };
  });
  balanceChanged({ kind: "aff_transfer", userId, userQuota: result.quota });
  return result;
}

/**
 * Sets a key's remaining budget (the owner's edit). granted_quota moves by the same difference in
 * the same UPDATE, so the audit's key invariant holds even while requests hold on the key.
 */
export async function setKeyRemainQuota(tokenId: number, remainQuota: bigint, client: Db = db): Promise<void> {
  const n = await client.$executeRaw`
    UPDATE tokens SET granted_quota = granted_quota + (${remainQuota}::bigint - remain_quota), remain_quota = ${remainQuota}::bigint
    WHERE id = ${tokenId}`;
  if (n !== 1) throw new AppError("token_not_found", "Key not found", 404);
}
