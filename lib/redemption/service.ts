import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { AppError, validationError } from "@/lib/errors";
import { ZCreateRedemptionsInput, type TCreateRedemptionsInput } from "./schemas";

/** Creates a batch of redemption codes (32 hex characters each) and returns them. */
export async function createRedemptions(createdBy: number, input: TCreateRedemptionsInput): Promise<string[]> {
  const parsed = ZCreateRedemptionsInput.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const { name, quota, count, expiredTime } = parsed.data;
  if (expiredTime !== 0 && expiredTime < Math.floor(Date.now() / 1000)) {
    throw new AppError("validation", "Expiration time cannot be earlier than now", 400, { expiredTime: ["Expiration time cannot be earlier than now"] });
  }
  const keys = Array.from({ length: count }, () => randomUUID().replace(/-/g, ""));
  await db.redemption.createMany({
    data: keys.map((key) => ({ key, name, quota, createdBy, expiredTime: BigInt(expiredTime) })),
  });
  return keys;
}
