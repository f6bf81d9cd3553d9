"use server";
import { authedAction } from "@/lib/actions";
import { ZRedeemInput } from "./schemas";
import { redeemForUser } from "./service";

/** The wallet's "redeem a code": failures rate-limited per user, each with its reason. */
export const redeemCodeAction = authedAction(ZRedeemInput, async (input, user) => redeemForUser(user.id, input));
