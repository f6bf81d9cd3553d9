"use server";
import { z } from "zod";
import { authedAction } from "@/lib/actions";
import { AppError } from "@/lib/errors";
import { getDashboard } from "./queries";

/** Balance, usage and invitation figures of the signed-in user (dashboard and wallet). */
export const accountSummaryAction = authedAction(z.strictObject({}), async (_input, user) => {
  const summary = await getDashboard(user.id);
  if (!summary) throw new AppError("user_not_found", "User not found", 404);
  return summary;
});
