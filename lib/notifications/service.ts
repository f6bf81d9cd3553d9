import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { outboxWorker, sendNow, type ProcessResult } from "./outbox";
import type { NotifyType } from "./schemas";

/** The "send test" button: a real notification through the outbox path, sent at once; its result. */
export async function sendTestNotification(userId: number, channel: NotifyType): Promise<ProcessResult> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { quota: true } });
  if (!user) throw new AppError("user_not_found", "User not found", 404);
  return sendNow(outboxWorker(), userId, "test", channel, { balance: user.quota.toString() });
}
