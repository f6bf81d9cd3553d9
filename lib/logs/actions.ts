"use server";
import { z } from "zod";
import { adminAction, authedAction } from "@/lib/actions";
import {
  ZAdminLogChartInput,
  ZAdminLogFilters,
  ZAdminLogPageInput,
  ZUserLogChartInput,
  ZUserLogFilters,
  ZUserLogPageInput,
} from "./filters";
import { listWalletCredits } from "./queries";
import { cancelLogCleanup, listLogCleanups, startLogCleanup } from "./retention";
import { logPage, logStatsOf, usageChartOf } from "./service";

/** the admin who queues or cancels a cleanup, as the audit trail names them */
const operatorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

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

/** A page of the user's own logs. */
export const myLogsAction = authedAction(ZUserLogPageInput, async (input, user) => logPage({ userId: user.id }, input));

/** {quota, rpm, tpm} of the user's own logs under the filters. */
export const myLogStatsAction = authedAction(z.strictObject({ filters: ZUserLogFilters }), async (input, user) =>
  logStatsOf({ userId: user.id }, input.filters),
);

/** The user's usage per hour or day and model. */
export const myUsageChartAction = authedAction(ZUserLogChartInput, async (input, user) =>
  usageChartOf({ userId: user.id }, input),
);

/** A page of everyone's logs, with the operator's fields. */
export const adminLogsAction = adminAction(ZAdminLogPageInput, async (input) => logPage({ admin: true }, input));

export const adminLogStatsAction = adminAction(z.strictObject({ filters: ZAdminLogFilters }), async (input) =>
  logStatsOf({ admin: true }, input.filters),
);

export const adminUsageChartAction = adminAction(ZAdminLogChartInput, async (input) =>
  usageChartOf({ admin: true }, input),
);

/** Deletes the logs older than `before` (epoch ms) in the background; progress in logCleanupsAction. */
export const startLogCleanupAction = adminAction(
  z.strictObject({
    before: z.coerce
      .number()
      .int()
      .min(Date.UTC(2000, 0, 1)),
  }),
  async ({ before }, user) => startLogCleanup(new Date(before), operatorOf(user)),
);

export const cancelLogCleanupAction = adminAction(
  z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) }),
  async ({ id }, user) => cancelLogCleanup(id, operatorOf(user)),
);

/** The recent cleanups, newest first, with their progress. */
export const logCleanupsAction = adminAction(z.strictObject({}), async () => listLogCleanups());
