"use server";
import { z } from "zod";
import { adminAction, authedAction } from "@/lib/actions";
import { listRedemptions } from "./queries";
import { ZCreateRedemptionBatchInput, ZListRedemptionsInput, ZRedeemInput, ZRedemptionIdInput } from "./schemas";
import { createRedemptionBatch, deleteSpentRedemptions, disableRedemption, redeemForUser } from "./service";

/** The wallet's "redeem a code": failures rate-limited per user, each with its reason. */
export const redeemCodeAction = authedAction(ZRedeemInput, async (input, user) => redeemForUser(user.id, input));

const operatorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

// The admin's redemption codes page. Every write names the admin in the audit trail.

export const listRedemptionsAction = adminAction(ZListRedemptionsInput, async (input) => listRedemptions(input));

/** the codes come back in full once, in this result: the list shows them masked, the trail never */
export const createRedemptionBatchAction = adminAction(ZCreateRedemptionBatchInput, async (input, user) =>
  createRedemptionBatch(operatorOf(user), input),
);

export const disableRedemptionAction = adminAction(ZRedemptionIdInput, async (input, user) =>
  disableRedemption(operatorOf(user), input),
);

export const deleteSpentRedemptionsAction = adminAction(z.object({}), async (_input, user) =>
  deleteSpentRedemptions(operatorOf(user)),
);
