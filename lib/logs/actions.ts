"use server";
import { z } from "zod";
import { authedAction } from "@/lib/actions";
import { listWalletCredits } from "./queries";

/** A page of the wallet's history; `cursor` is the id of the last row already shown. */
export const walletCreditsAction = authedAction(
  z.strictObject({
    cursor: z
      .string()
      .regex(/^\d{1,19}$/)
      .nullish(),
  }),
  async ({ cursor }, user) => listWalletCredits(user.id, { cursor: cursor ? BigInt(cursor) : null }),
);
