import "server-only";
import { randomInt } from "node:crypto";
import { rateLimiter, type RateLimiter, type RateLimitStore } from "@/lib/cache/rate-limit";
import { pruneRateLimitWindows, sharedRateLimitStore } from "@/lib/cache/rate-limit-pg";
import { db } from "@/lib/db";
import { configuredOrigin } from "@/lib/http/public-origin";
import { getOptions } from "@/lib/options/service";
import { displayOf } from "@/lib/quota/money";
import { deliver } from "./channels";
import { DeliveryError, targetPolicy } from "./http";
import { NOTIFICATION_STATUS, type NotificationKind, type NotifyType } from "./schemas";
import { readSetting } from "./settings";
import { renderNotification } from "./templates";

// The outbox worker. Rows are written by the transaction that caused them (tollgate_settle) and
// sent here, after commit:
// - claim: FOR UPDATE SKIP LOCKED picks due rows no other process is claiming, and one UPDATE
//   marks them `sending` with a lease (locked_until) and counts the attempt. Two processes never
//   hold the same row; a row whose lease ran out (its process died mid-send) is claimed again.
// - the rate limit (2 per 10 minutes per user and type, shared by every process) is applied once
//   per row, at its first claim; a row over it is `suppressed`, not sent.
// - every attempt is recorded (notification_attempts); a failure is retried with exponential
//   backoff and jitter until maxAttempts, then `failed`. The record is fenced by the attempt number,
//   so a process that lost its lease cannot overwrite a newer claim's result.
// A redelivery after a crash carries the same notification id (channels.ts), for receivers to drop.

export type OutboxConfig = {
  /** how long a claim is held; longer than a send can take (the HTTP timeout is 10 s) */
  leaseMs: number;
  batch: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollMs: number;
  /** rate limit per user and notification type */
  limit: { count: number; windowMs: number };
  /** where the limit counts (default: Redis when REDIS_URL is set, else PostgreSQL) */
  store?: RateLimitStore;
};

const DEFAULT_OUTBOX_CONFIG: OutboxConfig = {
  leaseMs: 60_000,
  batch: 20,
  maxAttempts: 6,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
  pollMs: 2_000,
  limit: { count: 2, windowMs: 10 * 60_000 },
};

/** test sends: pressing the button is not an alert, but is limited too */
const TEST_LIMIT = { count: 5, windowMs: 60_000 };

export type ClaimedRow = {
  id: bigint;
  user_id: number;
  kind: NotificationKind;
  channel: NotifyType;
  payload: Record<string, unknown>;
  attempts: number;
  admitted: boolean;
  /** the status before this claim: `sending` means the previous claim's lease ran out */
  was: string;
};

export type ProcessResult = { id: bigint; status: string; error: string; statusCode: number | null };

/** the delay before attempt n+1 after n failed ones: base·2^(n−1), capped, with "equal jitter" (½ to 1×) */
export function backoffMs(attempts: number, cfg: Pick<OutboxConfig, "backoffBaseMs" | "backoffMaxMs">): number {
  const exp = Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  const half = Math.floor(exp / 2);
  return half + (half > 0 ? randomInt(0, half + 1) : 0);
}

export const notificationId = (id: bigint) => `ntf_${id}`;

export class OutboxWorker {
  readonly cfg: OutboxConfig;
  private limiters: Map<string, RateLimiter> = new Map();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<unknown> | null = null;
  private ticks = 0;

  constructor(cfg: Partial<OutboxConfig> = {}) {
    this.cfg = { ...DEFAULT_OUTBOX_CONFIG, ...cfg };
  }

  private limiter(kind: string): RateLimiter {
    let l = this.limiters.get(kind);
    if (!l) {
      const rule = kind === "test" ? TEST_LIMIT : this.cfg.limit;
      l = rateLimiter(
        { name: `notify:${kind}`, limit: rule.count, windowMs: rule.windowMs },
        this.cfg.store ?? sharedRateLimitStore(),
      );
      this.limiters.set(kind, l);
    }
    return l;
  }

  /** claims up to `limit` due rows (pending and due, or sending with an expired lease) */
  async claim(limit = this.cfg.batch): Promise<ClaimedRow[]> {
    return db.$queryRaw<ClaimedRow[]>`
      WITH c AS (
        SELECT id, status AS was FROM notifications
        WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now())
        ORDER BY next_attempt_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE notifications n
        SET status = 'sending', attempts = n.attempts + 1,
            locked_until = now() + ${this.cfg.leaseMs}::int * interval '1 millisecond'
      FROM c WHERE n.id = c.id
      RETURNING n.id, n.user_id, n.kind, n.channel, n.payload, n.attempts, n.admitted, c.was`;
  }

  /** claims and sends every due row, batch after batch; returns how many rows it processed */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.claim();
      await Promise.all(rows.map((r) => this.process(r)));
      total += rows.length;
      if (rows.length < this.cfg.batch) return total;
    }
  }

  /** sends one claimed row and records the attempt */
  async process(row: ClaimedRow): Promise<ProcessResult> {
    const id = row.id;
    if (row.was === NOTIFICATION_STATUS.sending) {
      await db.notificationAttempt.create({
        data: {
          notificationId: id,
          attempt: row.attempts - 1,
          error: "Lease expired: the process sending it stopped before recording a result",
        },
      });
    }
    const user = await db.user.findUnique({ where: { id: row.user_id }, select: { setting: true, email: true } });
    if (!user) return this.finish(row, NOTIFICATION_STATUS.suppressed, "The user no longer exists", null, false);
    if (!row.admitted) {
      const hit = await this.limiter(row.kind).hit(String(row.user_id));
      if (!hit.allowed) {
        const rule = row.kind === "test" ? TEST_LIMIT : this.cfg.limit;
        const msg = `Rate limit: at most ${rule.count} ${row.kind} notifications per ${Math.round(rule.windowMs / 60_000)} minutes`;
        return this.finish(row, NOTIFICATION_STATUS.suppressed, msg, null, false);
      }
      await db.$executeRaw`UPDATE notifications SET admitted = true WHERE id = ${id} AND attempts = ${row.attempts}`;
    }
    const setting = readSetting(user.setting);
    const o = await getOptions();
    const lang = setting.language === "zh" ? "zh" : "en";
    const origin = (o.ServerAddress || configuredOrigin()).replace(/\/+$/, "");
    const rendered = renderNotification({ kind: row.kind, payload: row.payload, lang, display: displayOf(o), origin });
    const started = new Date();
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error = "";
    let retryable = true;
    try {
      const r = await deliver({
        id: notificationId(id),
        kind: row.kind,
        channel: row.channel,
        rendered,
        setting,
        accountEmail: user.email,
        emailFrom: o.NotifyEmailFrom,
        systemName: o.SystemName,
        policy: await targetPolicy(),
        now: Math.floor(Date.now() / 1000),
      });
      statusCode = r.statusCode;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      if (e instanceof DeliveryError) {
        statusCode = e.statusCode;
        retryable = e.retryable;
      }
      error = error.slice(0, 2_000);
    }
    const durationMs = Math.max(0, Math.round(performance.now() - t0));
    await db.notificationAttempt.create({
      data: {
        notificationId: id,
        attempt: row.attempts,
        startedAt: started,
        durationMs,
        statusCode,
        ok: !error,
        error,
      },
    });
    if (!error) return this.finish(row, NOTIFICATION_STATUS.sent, "", statusCode, false);
    if (retryable && row.kind !== "test" && row.attempts < this.cfg.maxAttempts)
      return this.finish(row, NOTIFICATION_STATUS.pending, error, statusCode, true);
    return this.finish(row, NOTIFICATION_STATUS.failed, error, statusCode, false);
  }

  private async finish(
    row: ClaimedRow,
    status: string,
    error: string,
    statusCode: number | null,
    retry: boolean,
  ): Promise<ProcessResult> {
    const delay = retry ? backoffMs(row.attempts, this.cfg) : 0;
    // fenced: only the claim that holds the row (same attempt number, still sending) records
    const n = await db.$executeRaw`
      UPDATE notifications SET status = ${status}, last_error = ${error}, locked_until = NULL,
        sent_at = CASE WHEN ${status} = 'sent' THEN now() ELSE sent_at END,
        next_attempt_at = CASE WHEN ${retry} THEN now() + ${delay}::int * interval '1 millisecond' ELSE next_attempt_at END
      WHERE id = ${row.id} AND attempts = ${row.attempts} AND status = 'sending'`;
    if (n !== 1) console.error(`notification ${row.id}: lost its lease before recording attempt ${row.attempts}`);
    return { id: row.id, status, error, statusCode };
  }

  /** polls every pollMs until stop() (idempotent) */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      try {
        this.running = this.runOnce();
        await this.running;
        if (++this.ticks % 1800 === 0) await pruneRateLimitWindows();
      } catch (e) {
        console.error("notification worker failed", e);
      } finally {
        this.running = null;
      }
      if (this.stopped) return;
      this.timer = setTimeout(tick, this.cfg.pollMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.cfg.pollMs);
    this.timer.unref();
  }

  /** stops polling and waits for the batch in hand (its rows are leased: nothing is lost either way) */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/**
 * Queues a notification outside a settle (the test button) already claimed by `worker`, and sends
 * it at once through the same path as any other row; returns the result.
 */
export async function sendNow(
  worker: OutboxWorker,
  userId: number,
  kind: NotificationKind,
  channel: NotifyType,
  payload: Record<string, unknown>,
): Promise<ProcessResult> {
  const rows = await db.$queryRaw<ClaimedRow[]>`
    INSERT INTO notifications (user_id, kind, channel, payload, status, attempts, locked_until)
    VALUES (${userId}, ${kind}, ${channel}, ${JSON.stringify(payload)}::jsonb, 'sending', 1,
            now() + ${worker.cfg.leaseMs}::int * interval '1 millisecond')
    RETURNING id, user_id, kind, channel, payload, attempts, admitted, 'pending' AS was`;
  return worker.process(rows[0]);
}

const g = globalThis as unknown as { tollgateOutbox?: OutboxWorker };

/** the process's worker (started by lib/workers.ts when TOLLGATE_WORKERS=on) */
export function outboxWorker(): OutboxWorker {
  return (g.tollgateOutbox ??= new OutboxWorker());
}
