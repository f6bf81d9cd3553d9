"use server";
import { authedAction } from "@/lib/actions";
import { ZTransferAffForm } from "./schemas";
import { transferAffFromForm } from "./service";

/** The wallet's "transfer rewards": the amount in the display unit, moved by lib/quota. */
export const transferAffQuotaAction = authedAction(ZTransferAffForm, async (input, user) =>
  transferAffFromForm(user.id, input),
);
