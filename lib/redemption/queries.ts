import "server-only";
import { db, type Prisma } from "@/lib/db";
import { REDEMPTION_STATUS } from "@/lib/quota/row-types";
import type { RedemptionState } from "./schemas";

// The admin's list of redemption codes: newest first, filtered by state and name prefix, paged by
// id, with who redeemed each and when. A code is shown in full once, when its batch is created;
// the list only tells codes apart (first and last 4 characters).

export type RedemptionDto = {
  id: number;
  maskedKey: string;
  name: string;
  quota: string;
  state: RedemptionState;
  createdAt: string;
  /** unix seconds, 0 = never */
  expiredTime: number;
  redeemedAt: string | null;
  usedUserId: number | null;
  usedUsername: string | null;
};

const REDEMPTION_PAGE_SIZE = 50;

/** "expired" is not stored: unused with an expiry in the past */
export function stateWhere(state: RedemptionState, nowSec: number): Prisma.RedemptionWhereInput {
  const now = BigInt(nowSec);
  switch (state) {
    case "used":
      return { status: REDEMPTION_STATUS.used };
    case "disabled":
      return { status: REDEMPTION_STATUS.disabled };
    case "expired":
      return { status: REDEMPTION_STATUS.unused, expiredTime: { gt: 0n, lt: now } };
    case "unused":
      return { status: REDEMPTION_STATUS.unused, OR: [{ expiredTime: 0n }, { expiredTime: { gte: now } }] };
  }
}

function stateOf(r: { status: number; expiredTime: bigint }, nowSec: number): RedemptionState {
  if (r.status === REDEMPTION_STATUS.used) return "used";
  if (r.status === REDEMPTION_STATUS.disabled) return "disabled";
  return r.expiredTime > 0n && r.expiredTime < BigInt(nowSec) ? "expired" : "unused";
}

export async function listRedemptions(filter: {
  state?: RedemptionState | null;
  name?: string | null;
  cursor?: number | null;
}): Promise<{ items: RedemptionDto[]; nextCursor: number | null }> {
  const nowSec = Math.floor(Date.now() / 1000);
  const rows = await db.redemption.findMany({
    where: {
      ...(filter.state ? stateWhere(filter.state, nowSec) : {}),
      ...(filter.name ? { name: { startsWith: filter.name } } : {}),
      ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: REDEMPTION_PAGE_SIZE + 1,
  });
  const page = rows.slice(0, REDEMPTION_PAGE_SIZE);
  const userIds = [...new Set(page.map((r) => r.usedUserId).filter((id): id is number => id !== null))];
  const users = userIds.length
    ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } })
    : [];
  const names = new Map(users.map((u) => [u.id, u.username]));
  return {
    items: page.map((r) => ({
      id: r.id,
      maskedKey: `${r.key.slice(0, 4)}…${r.key.slice(-4)}`,
      name: r.name,
      quota: r.quota.toString(),
      state: stateOf(r, nowSec),
      createdAt: r.createdAt.toISOString(),
      expiredTime: Number(r.expiredTime),
      redeemedAt: r.redeemedAt?.toISOString() ?? null,
      usedUserId: r.usedUserId,
      usedUsername: r.usedUserId ? (names.get(r.usedUserId) ?? null) : null,
    })),
    nextCursor: rows.length > REDEMPTION_PAGE_SIZE ? page[page.length - 1].id : null,
  };
}
