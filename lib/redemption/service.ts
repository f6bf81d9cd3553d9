import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { AppError, isAppError, validationError } from "@/lib/errors";
import type { MessageKey } from "@/lib/i18n";
import { TranslatedError } from "@/lib/i18n/errors";
import { getOptions } from "@/lib/options/service";
import { redeemCode } from "@/lib/quota/credits";
import { displayOf } from "@/lib/quota/money";
import { formatQuota } from "@/lib/quota/money";
import { ZCreateRedemptionsInput, ZRedeemInput, type TCreateRedemptionsInput, type TRedeemInput } from "./schemas";

/** Creates a batch of redemption codes (32 hex characters each) and returns them. */
export async function createRedemptions(createdBy: number, input: TCreateRedemptionsInput): Promise<string[]> {
  const parsed = ZCreateRedemptionsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { name, quota, count, expiredTime } = parsed.data;
  if (expiredTime !== 0 && expiredTime < Math.floor(Date.now() / 1000)) {
    throw new AppError("validation", "Expiration time cannot be earlier than now", 400, {
      expiredTime: ["Expiration time cannot be earlier than now"],
    });
  }
  const keys = Array.from({ length: count }, () => randomUUID().replace(/-/g, ""));
  await db.redemption.createMany({
    data: keys.map((key) => ({ key, name, quota, createdBy, expiredTime: BigInt(expiredTime) })),
  });
  return keys;
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
    throw new TranslatedError(
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
      throw new TranslatedError(e.code, e.message, e.status, { key: redeemMessage(e.code), field: "code" });
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
