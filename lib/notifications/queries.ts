import "server-only";
import { db } from "@/lib/db";

export type NotificationAttemptDTO = {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  ok: boolean;
  error: string;
};

export type NotificationDTO = {
  id: string;
  kind: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string;
  createdAt: string;
  sentAt: string | null;
  /** when the next attempt is due (pending rows) */
  nextAttemptAt: string | null;
  attemptLog: NotificationAttemptDTO[];
};

const HISTORY = 20;

/** The user's newest notifications with their attempts (the settings page's delivery history). */
export async function listNotifications(userId: number, limit = HISTORY): Promise<NotificationDTO[]> {
  const rows = await db.notification.findMany({
    where: { userId },
    orderBy: { id: "desc" },
    take: limit,
    select: {
      id: true,
      kind: true,
      channel: true,
      status: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      sentAt: true,
      nextAttemptAt: true,
      attemptLog: {
        orderBy: { id: "asc" },
        take: 20,
        select: { attempt: true, startedAt: true, durationMs: true, statusCode: true, ok: true, error: true },
      },
    },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
    nextAttemptAt: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
    attemptLog: r.attemptLog.map((a) => ({ ...a, startedAt: a.startedAt.toISOString() })),
  }));
}
