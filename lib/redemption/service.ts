import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { AppError, isAppError, notFound, translatedError, validationError } from "@/lib/errors";
import type { MessageKey } from "@/lib/i18n";
import { getOptions } from "@/lib/options/service";
import { redeemCode } from "@/lib/quota/credits";
import { displayOf, formatQuota, parseAmount } from "@/lib/quota/money";
import { REDEMPTION_STATUS } from "@/lib/quota/row-types";
import { MAX_QUOTA } from "@/lib/quota/schemas";
import { recordAdminAction, type AuditOperator } from "@/lib/audit/service";
import {
  ZCreateRedemptionBatchInput,
  ZCreateRedemptionsInput,
  ZRedeemInput,
  ZRedemptionIdInput,
  type TCreateRedemptionBatchInput,
  type TCreateRedemptionsInput,
  type TRedeemInput,
} from "./schemas";
import { stateWhere } from "./queries";

/**
 * Creates a batch of redemption codes (32 hex characters each) and returns them. The audit row
 * (in the same transaction) names the batch, its size and amount — never the codes.
 */
export async function createRedemptions(operator: AuditOperator, input: TCreateRedemptionsInput): Promise<string[]> {
  const parsed = ZCreateRedemptionsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { name, quota, count, expiredTime } = parsed.data;
  if (expiredTime !== 0 && expiredTime < Math.floor(Date.now() / 1000)) {
    throw new AppError("validation", "Expiration time cannot be earlier than now", 400, {
      expiredTime: ["Expiration time cannot be earlier than now"],
    });
  }
  const keys = Array.from({ length: count }, () => randomUUID().replace(/-/g, ""));
  await db.$transaction(async (tx) => {
    await tx.redemption.createMany({
      data: keys.map((key) => ({ key, name, quota, createdBy: operator.id ?? 0, expiredTime: BigInt(expiredTime) })),
    });
    await recordAdminAction(tx, operator, {
      action: "redemption.create",
      targetType: "redemption",
      targetId: name,
      after: { name, count, quota, expiredTime },
    });
  });
  return keys;
}

/** The admin's batch form: the amount in the display unit becomes quota exactly (lib/quota/money). */
export async function createRedemptionBatch(
  operator: AuditOperator,
  input: TCreateRedemptionBatchInput,
): Promise<{ codes: string[]; name: string; quota: string }> {
  const parsed = ZCreateRedemptionBatchInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const display = displayOf(await getOptions());
  const amount = parseAmount(parsed.data.amount, display, MAX_QUOTA);
  if (!amount.ok || amount.quota <= 0n) {
    const key =
      amount.ok || amount.reason === "negative" || amount.reason === "too_large"
        ? "redemptions.error.amountPositive"
        : display.type === "TOKENS"
          ? "keys.error.amountFormatTokens"
          : "keys.error.amountFormat";
    throw translatedError("validation", "The amount must be a positive amount", 400, { key, field: "amount" });
  }
  const { expiresAt } = parsed.data;
  if (expiresAt && expiresAt <= Math.floor(Date.now() / 1000)) {
    throw translatedError("validation", "Expiration time cannot be earlier than now", 400, {
      key: "redemptions.error.expiryPast",
      field: "expiresAt",
    });
  }
  const codes = await createRedemptions(operator, {
    name: parsed.data.name,
    quota: amount.quota,
    count: parsed.data.count,
    expiredTime: expiresAt ?? 0,
  });
  return { codes, name: parsed.data.name, quota: amount.quota.toString() };
}

/**
 * Failed redemptions per user: 10 in 15 minutes, then refused until the window ends. Counted
 * before the attempt (a burst cannot slip past) and taken back when it succeeds.
 */
export const REDEEM_FAILURE_LIMIT = rateLimiter({ name: "redeem:user", limit: 10, windowMs: 15 * 60_000 });

export type RedeemResult = { quota: string; amount: string; balance: string; rawBalance: string };

/** A user redeems a code from the wallet page: rate-limited failures, then lib/quota's redeemCode. */
export async function redeemForUser(userId: number, input: TRedeemInput): Promise<RedeemResult> {
  const parsed = ZRedeemInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const hit = await REDEEM_FAILURE_LIMIT.hit(String(userId));
  if (!hit.allowed) {
    const minutes = Math.max(1, Math.ceil(hit.resetMs / 60_000));
    throw translatedError(
      "redemption_rate_limited",
      `Too many failed redemptions, try again in ${minutes} minutes`,
      429,
      {
        key: "wallet.redeem.rateLimited",
        vars: { minutes },
        field: "code",
      },
    );
  }
  let result: Awaited<ReturnType<typeof redeemCode>>;
  try {
    result = await redeemCode(userId, parsed.data.code);
  } catch (e) {
    if (isAppError(e))
      throw translatedError(e.code, e.message, e.status, { key: redeemMessage(e.code), field: "code" });
    await REDEEM_FAILURE_LIMIT.undo(String(userId)); // not the user's fault
    throw e;
  }
  await REDEEM_FAILURE_LIMIT.undo(String(userId));
  const display = displayOf(await getOptions());
  return {
    quota: result.quota.toString(),
    amount: formatQuota(result.quota, display),
    balance: formatQuota(result.userQuota, display),
    rawBalance: result.userQuota.toString(),
  };
}

const REDEEM_MESSAGES: Record<string, MessageKey> = {
  redemption_used: "error.redemption_used",
  redemption_expired: "error.redemption_expired",
  redemption_disabled: "error.redemption_disabled",
};
const redeemMessage = (code: string): MessageKey => REDEEM_MESSAGES[code] ?? "error.redemption_not_found";

/** Disables an unused code (a used one stays used): the claim of a redeem then fails. */
export async function disableRedemption(operator: AuditOperator, input: { id: number }): Promise<void> {
  const parsed = ZRedemptionIdInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { id } = parsed.data;
  await db.$transaction(async (tx) => {
    const { count } = await tx.redemption.updateMany({
      where: { id, status: REDEMPTION_STATUS.unused },
      data: { status: REDEMPTION_STATUS.disabled },
    });
    if (count !== 1) {
      const row = await tx.redemption.findUnique({ where: { id }, select: { status: true } });
      if (!row) throw notFound("Redemption code");
      throw new AppError("redemption_not_unused", "Only an unused code can be disabled", 409);
    }
    await recordAdminAction(tx, operator, {
      action: "redemption.disable",
      targetType: "redemption",
      targetId: id,
      before: { status: REDEMPTION_STATUS.unused },
      after: { status: REDEMPTION_STATUS.disabled },
    });
  });
}

/** Deletes every used code and every unused code past its expiry, in one statement; returns how many. */
export async function deleteSpentRedemptions(operator: AuditOperator): Promise<{ deleted: number }> {
  const nowSec = Math.floor(Date.now() / 1000);
  return db.$transaction(async (tx) => {
    const { count } = await tx.redemption.deleteMany({
      where: { OR: [stateWhere("used", nowSec), stateWhere("expired", nowSec)] },
    });
    if (count > 0) {
      await recordAdminAction(tx, operator, {
        action: "redemption.delete",
        targetType: "redemption",
        targetId: "used+expired",
        before: { deleted: count },
      });
    }
    return { deleted: count };
  });
}
