import "server-only";
import { db } from "@/lib/db";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { creditKind, type CreditKind } from "./credit-kind";

// Reads of the log rows that the billing module writes, for the portal. Keyset pages on
// (user_id, id), the index every user query of the logs table starts from.

export type CreditDTO = {
  id: string;
  createdAt: string;
  kind: CreditKind;
  /** signed change of the wallet, in quota */
  quota: string;
  redemptionId: number | null;
  operator: string | null;
  /** an admin change: the reason the operator gave */
  reason: string | null;
};

export type CreditPageDTO = { items: CreditDTO[]; nextCursor: string | null };

const CREDIT_PAGE_SIZE = 20;

/**
 * Every change of the wallet that is not a request: redemptions, transfers of invitation credit,
 * administrators' changes, registration and invitation gifts. Newest first; `cursor` is the id of
 * the last row of the previous page.
 */
export async function listWalletCredits(
  userId: number,
  opts: { cursor?: bigint | null; limit?: number } = {},
): Promise<CreditPageDTO> {
  const limit = Math.min(Math.max(opts.limit ?? CREDIT_PAGE_SIZE, 1), 100);
  const rows = await db.log.findMany({
    where: {
      userId,
      type: { in: [LOG_TYPE.topup, LOG_TYPE.manage, LOG_TYPE.system] },
      quota: { not: 0n },
      ...(opts.cursor ? { id: { lt: opts.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: { id: true, createdAt: true, type: true, quota: true, affQuota: true, content: true, other: true },
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => {
      const other = r.other && typeof r.other === "object" ? (r.other as Record<string, unknown>) : {};
      return {
        id: r.id.toString(),
        createdAt: r.createdAt.toISOString(),
        kind: creditKind(r),
        quota: r.quota.toString(),
        redemptionId: typeof other.redemption_id === "number" ? other.redemption_id : null,
        operator: typeof other.operator === "string" ? other.operator : null,
        reason: typeof other.reason === "string" ? other.reason : null,
      };
    }),
    nextCursor: rows.length > limit ? page[page.length - 1].id.toString() : null,
  };
}

export type RecentRequestDTO = {
  id: string;
  createdAt: string;
  modelName: string;
  tokenName: string;
  promptTokens: number;
  completionTokens: number;
  quota: string;
};

/** The newest consume logs of a user (the dashboard's "recent requests"). */
export async function listRecentRequests(userId: number, limit = 5): Promise<RecentRequestDTO[]> {
  const rows = await db.log.findMany({
    where: { userId, type: LOG_TYPE.consume },
    orderBy: { id: "desc" },
    take: Math.min(Math.max(limit, 1), 50),
    select: {
      id: true,
      createdAt: true,
      modelName: true,
      tokenName: true,
      promptTokens: true,
      completionTokens: true,
      quota: true,
    },
  });
  return rows.map((r) => ({
    ...r,
    id: r.id.toString(),
    createdAt: r.createdAt.toISOString(),
    quota: r.quota.toString(),
  }));
}
