"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { authedAction, publicAction } from "@/lib/actions";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { getDashboard } from "./queries";
import { registerFromIp } from "./register";
import { ZRegisterForm } from "./schemas";

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
