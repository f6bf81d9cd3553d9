"use server";
import { publicAction } from "@/lib/actions";
import { AppError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { registerUser } from "@/lib/users/service";
import { ZRegisterForm } from "./schemas";

/** Self-service sign-up (with `affCode` from ?aff=). The client signs the new user in afterwards. */
export const registerAction = publicAction(ZRegisterForm, async ({ username, password, affCode }) => {
  const { RegisterEnabled } = await getOptions();
  if (!RegisterEnabled) throw new AppError("registration_disabled", "Registration is closed", 403);
  const user = await registerUser({ username, password, affCode: affCode || undefined });
  return { username: user.username };
});
