"use server";
import { headers } from "next/headers";
import { publicAction } from "@/lib/actions";
import { clientIp } from "@/lib/http/client-ip";
import { registerFromIp } from "./register";
import { ZRegisterForm } from "./schemas";

/** Self-service sign-up (with `affCode` from ?aff=). The client signs the new user in afterwards. */
export const registerAction = publicAction(ZRegisterForm, async ({ username, password, affCode }) => {
  const ip = clientIp(await headers());
  const user = await registerFromIp({ username, password, affCode: affCode || undefined }, ip);
  return { username: user.username };
});
