import "server-only";
import { CLI_OPERATOR, recordAdminAction, type AuditOperator } from "@/lib/audit/service";
import { db, pgPool } from "@/lib/db";
import { AppError } from "@/lib/errors";

// Retention: an admin deletes the logs older than a date. One cleanup runs at a time, on whichever
// node claims it, in small batches — each its own short transaction that never touches a balance,
// so settles go on beside it. Every batch adds what it deleted to log_checkpoints (per user and
// key) in the same transaction, and the ledger audit adds the checkpoints to what the logs still
// hold: deleting history never breaks the audit. The rollups (charts, stats) are kept. Queuing and
// cancelling a cleanup are admin writes: each records its row in the audit trail with the job.

const CLEANUP_BATCH = 1_000;
/**
 * pause between batches: at least this long, and as long as the batch took, so a cleanup uses at
 * most about half of one database connection's time and the settles beside it keep their pace
 */
const PAUSE_MS = 10;
/** a running cleanup whose node has not reported for this long is taken over by another */
const STALE_SECONDS = 30;

export type LogCleanupStatus = "pending" | "running" | "done" | "failed" | "cancelled";

export type LogCleanupDTO = {
  id: number;
  before: string;
  status: LogCleanupStatus;
  total: string;
  deleted: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string;
};

type CleanupRow = Awaited<ReturnType<typeof db.logCleanup.findFirstOrThrow>>;

const toDTO = (c: CleanupRow): LogCleanupDTO => ({
  id: c.id,
  before: c.before.toISOString(),
  status: c.status as LogCleanupStatus,
  total: c.total.toString(),
  deleted: c.deleted.toString(),
  createdAt: c.createdAt.toISOString(),
  startedAt: c.startedAt?.toISOString() ?? null,
  finishedAt: c.finishedAt?.toISOString() ?? null,
  error: c.error,
});

/**
 * Queues a cleanup of the logs created before `before` (in the past); one at a time. The job names
 * its operator (0 for the command line), and the audit trail records who queued it with which date.
 */
export async function startLogCleanup(
  before: Date,
  operator: AuditOperator = CLI_OPERATOR,
  now = new Date(),
): Promise<LogCleanupDTO> {
  if (!(before.getTime() <= now.getTime()))
    throw new AppError("validation", "The date must be in the past", 400, { before: ["The date must be in the past"] });
  const row = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('tollgate:log_cleanup'))`;
    const busy = await tx.logCleanup.findFirst({ where: { status: { in: ["pending", "running"] } } });
    if (busy) throw new AppError("cleanup_running", "A cleanup is already running: wait for it or cancel it", 409);
    const job = await tx.logCleanup.create({ data: { before, createdBy: operator.id ?? 0 } });
    await recordAdminAction(tx, operator, {
      action: "log.cleanup_start",
      targetType: "system",
      targetId: `log_cleanup:${job.id}`,
      after: { before: before.toISOString() },
    });
    return job;
  });
  kickCleanupWorker();
  return toDTO(row);
}

/** Stops a pending or running cleanup after its current batch; what was deleted stays deleted. */
export async function cancelLogCleanup(id: number, operator: AuditOperator = CLI_OPERATOR): Promise<LogCleanupDTO> {
  return db.$transaction(async (tx) => {
    // locked, so the status the trail records as "before" is the one this cancel replaced
    const [prior] = await tx.$queryRaw<{ status: string }[]>`
      SELECT status FROM log_cleanups WHERE id = ${id} FOR UPDATE`;
    if (!prior) throw new AppError("not_found", "No such cleanup", 404);
    if (prior.status === "cancelled") return toDTO(await tx.logCleanup.findUniqueOrThrow({ where: { id } }));
    if (prior.status !== "pending" && prior.status !== "running")
      throw new AppError("cleanup_finished", "This cleanup has already finished", 409);
    const row = await tx.logCleanup.update({ where: { id }, data: { status: "cancelled", finishedAt: new Date() } });
    await recordAdminAction(tx, operator, {
      action: "log.cleanup_cancel",
      targetType: "system",
      targetId: `log_cleanup:${id}`,
      before: { status: prior.status, before: row.before.toISOString() },
      after: { status: "cancelled", deleted: row.deleted },
    });
    return toDTO(row);
  });
}

export async function listLogCleanups(limit = 10): Promise<LogCleanupDTO[]> {
  return (await db.logCleanup.findMany({ orderBy: { id: "desc" }, take: limit })).map(toDTO);
}

/** Claims the next cleanup (pending, or running on a node that stopped reporting); null if none. */
async function claim(): Promise<{ id: number; before: Date; total: bigint } | null> {
  const { rows } = await pgPool().query<{ id: number; before: Date; total: string }>(
    `UPDATE log_cleanups SET status = 'running', started_at = COALESCE(started_at, now()), heartbeat = now()
     WHERE id = (SELECT id FROM log_cleanups
                 WHERE status = 'pending' OR (status = 'running' AND heartbeat < now() - make_interval(secs => $1))
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id, before, total::text`,
    [STALE_SECONDS],
  );
  return rows[0] ? { ...rows[0], total: BigInt(rows[0].total) } : null;
}

/**
 * One batch: deletes up to `batch` of the oldest rows before the date, adds them to the
 * checkpoints and to the cleanup's progress, in one transaction. Returns how many it deleted.
 */
async function deleteLogBatch(cleanupId: number, before: Date, batch = CLEANUP_BATCH): Promise<number> {
  const { rows } = await pgPool().query<{ n: string }>(
    `WITH d AS (
       DELETE FROM logs WHERE id IN (
         SELECT id FROM logs WHERE created_at < $1 ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING user_id, token_id, type, quota, aff_quota, prompt_tokens, completion_tokens),
     agg AS (
       SELECT user_id, COALESCE(token_id, 0) AS token_id,
              COALESCE(sum(quota) FILTER (WHERE type IN (1, 3, 4, 6)), 0) AS credits,
              COALESCE(sum(quota) FILTER (WHERE type = 2), 0) AS consumed,
              count(*) FILTER (WHERE type = 2 AND prompt_tokens + completion_tokens > 0) AS requests,
              COALESCE(sum(aff_quota), 0) AS aff, count(*) AS n
       FROM d GROUP BY 1, 2),
     saved AS (
       INSERT INTO log_checkpoints AS c (user_id, token_id, credits, consumed, requests, aff_quota, rows, updated_at)
         SELECT user_id, token_id, credits, consumed, requests, aff, n, now() FROM agg ORDER BY user_id, token_id
       ON CONFLICT (user_id, token_id) DO UPDATE SET
         credits = c.credits + EXCLUDED.credits, consumed = c.consumed + EXCLUDED.consumed,
         requests = c.requests + EXCLUDED.requests, aff_quota = c.aff_quota + EXCLUDED.aff_quota,
         rows = c.rows + EXCLUDED.rows, updated_at = now()
       RETURNING 1),
     total AS (SELECT COALESCE(sum(n), 0)::bigint AS n FROM agg)
     UPDATE log_cleanups SET deleted = deleted + (SELECT n FROM total), heartbeat = now()
       WHERE id = $3
     RETURNING (SELECT n FROM total)::text AS n`,
    [before, batch, cleanupId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Runs every claimable cleanup to its end (or until cancelled); returns how many rows it deleted. */
export async function runLogCleanups(opts: { batch?: number; pauseMs?: number } = {}): Promise<number> {
  let deleted = 0;
  for (let job = await claim(); job; job = await claim()) {
    try {
      if (job.total === 0n) {
        const { rows } = await pgPool().query<{ n: string }>(
          "SELECT count(*)::text AS n FROM logs WHERE created_at < $1",
          [job.before],
        );
        await db.logCleanup.update({ where: { id: job.id }, data: { total: BigInt(rows[0].n) } });
      }
      for (;;) {
        const state = await db.logCleanup.findUnique({ where: { id: job.id }, select: { status: true } });
        if (state?.status !== "running") break; // cancelled
        const started = performance.now();
        const n = await deleteLogBatch(job.id, job.before, opts.batch);
        const took = performance.now() - started;
        deleted += n;
        if (n < (opts.batch ?? CLEANUP_BATCH)) {
          await db.logCleanup.updateMany({
            where: { id: job.id, status: "running" },
            data: { status: "done", finishedAt: new Date() },
          });
          break;
        }
        await new Promise((r) => setTimeout(r, opts.pauseMs ?? Math.max(PAUSE_MS, took)));
      }
    } catch (e) {
      console.error("log cleanup failed", e);
      await db.logCleanup.updateMany({
        where: { id: job.id, status: "running" },
        data: { status: "failed", finishedAt: new Date(), error: e instanceof Error ? e.message : String(e) },
      });
    }
  }
  return deleted;
}

type Worker = { timer: NodeJS.Timeout | null; running: boolean; tick: () => Promise<void> };
const g = globalThis as unknown as { tollgateCleanup?: Worker | null };

/** Looks for cleanups every few seconds in this process (idempotent); a new one starts at once. */
export function startCleanupWorker(intervalMs = 5_000): void {
  if (g.tollgateCleanup) return;
  const worker: Worker = {
    timer: null,
    running: false,
    async tick() {
      if (worker.running || g.tollgateCleanup !== worker) return;
      worker.running = true;
      try {
        await runLogCleanups();
      } catch (e) {
        console.error("log cleanup worker failed", e);
      } finally {
        worker.running = false;
      }
    },
  };
  g.tollgateCleanup = worker;
  worker.timer = setInterval(() => void worker.tick(), intervalMs);
  worker.timer.unref();
}

/** a cleanup was queued on this node: start it now rather than at the next tick */
function kickCleanupWorker(): void {
  void g.tollgateCleanup?.tick();
}

export function stopCleanupWorker(): void {
  if (g.tollgateCleanup?.timer) clearInterval(g.tollgateCleanup.timer);
  g.tollgateCleanup = null;
}
