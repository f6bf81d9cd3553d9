#!/usr/bin/env node
// The production server that `npm start` runs (and the e2e suite): one node:http server of our own
// with two doors. /v1/* and /api/settlement/* go straight to the relay's framework-free handlers
// (lib/server/fast-path.ts); everything else to Next's request handler (Next's custom-server mode).
// A SIGTERM or SIGINT is a graceful stop:
//   1. stop accepting connections; idle keep-alive connections close;
//   2. requests in flight may finish for up to REQUESTS_MS; what is still open then (a long
//      stream) is cut, which aborts its upstream call and schedules its settle like any client
//      that leaves;
//   3. the settles of every response already sent are written (lib/quota/settle-queue), for up to
//      SETTLES_MS: a served request is never left to the sweeper, which would refund it;
//   4. exit 0.
// PORT (3000) and HOST (127.0.0.1) say where to listen.
//
// TOLLGATE_PROCESSES (1; `auto` = one per core) forks that many such servers sharing the port
// (node:cluster). Each has its own caches, kept coherent through Redis (so more than one needs
// REDIS_URL), and its own database pool, sized so that all of them together stay within the
// database's connection limit. A stop signal reaches every process; the primary exits when all did.
import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import pg from "pg";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT || 3000);
const HOST = process.env.HOST || "127.0.0.1";
const REQUESTS_MS = 5_000;
const SETTLES_MS = 10_000;

const PROCESSES = processCount(process.env.TOLLGATE_PROCESSES);
if (PROCESSES > 1 && cluster.isPrimary) {
  await runPrimary(PROCESSES);
} else {
  await serve();
}

function processCount(value) {
  if (!value || value.trim() === "") return 1;
  if (value.trim() === "auto") return os.availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error(`[serve] TOLLGATE_PROCESSES must be a whole number from 1 to 64 or "auto", got "${value}"`);
    process.exit(2);
  }
  return n;
}

// ── several processes: the primary forks, restarts what dies, and stops them all ─────────────────
async function runPrimary(count) {
  if (!process.env.REDIS_URL) {
    console.error(
      `[serve] TOLLGATE_PROCESSES=${count} needs REDIS_URL: each process caches keys, users and options, ` +
        "and only Redis tells the others when one of them changes. Set REDIS_URL, or run one process.",
    );
    process.exit(2);
  }
  const pool = await poolPerProcess(count);
  console.log(`[serve] ${count} processes, ${pool} database connections each`);
  cluster.setupPrimary({ silent: false });
  let stopping = false;
  const fork = () => cluster.fork({ DATABASE_POOL_SIZE: String(pool) });
  for (let i = 0; i < count; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`[serve] process ${worker.process.pid} ended (${signal ?? code}); starting another`);
    setTimeout(fork, 1_000).unref();
  });
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    // a terminal's Ctrl-C reaches the whole process group already; a SIGTERM only the primary
    for (const w of workers) w?.process.kill(signal);
  };
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => stop(signal));
}

/**
 * DATABASE_POOL_SIZE (10) per process, but never more than the database allows for all of them:
 * its max_connections less the superusers' reserve and 10 for the migrator, the CLI and psql.
 */
async function poolPerProcess(count) {
  const wanted = Number(process.env.DATABASE_POOL_SIZE || 10);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query(
      "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved",
    );
    const budget = rows[0].max - rows[0].reserved - 10;
    const pool = Math.min(wanted, Math.floor(budget / count));
    if (pool < 2) {
      console.error(`[serve] the database allows ${rows[0].max} connections: too few for ${count} processes`);
      process.exit(2);
    }
    return pool;
  } finally {
    await client.end().catch(() => {});
  }
}

// ── one server ────────────────────────────────────────────────────────────────────────────────
async function serve() {
  const app = next({ dev: false, dir: ROOT, hostname: HOST, port: PORT });
  const handle = app.getRequestHandler();
  await app.prepare();

  let inFlight = 0;
  let drained = null;
  let stopping = false;
  const server = http.createServer((req, res) => {
    inFlight++;
    // a keep-alive connection that was busy when the stop began ends with its answer
    if (stopping) res.setHeader("connection", "close");
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    // /v1 and /api/settlement: straight to the relay's handlers (lib/server/fast-path.ts, published by
    // instrumentation.ts once Next has loaded the app); everything else through Next's router
    if (globalThis.tollgateServeFast?.(req, res)) return;
    handle(req, res).catch((e) => {
      console.error("request failed", e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.listen(PORT, HOST, () => console.log(`[serve] listening on http://${HOST}:${PORT}`));

  const within = (promise, ms) => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

  async function stop(signal) {
    if (stopping) return;
    stopping = true;
    console.log(`[serve] ${signal}: no new connections; finishing requests in flight`);
    server.close();
    // connections busy now become idle later: close those as they do, so none carries a new request
    server.closeIdleConnections();
    const idleCloser = setInterval(() => server.closeIdleConnections(), 50);
    if (inFlight > 0) await within(new Promise((resolve) => (drained = resolve)), REQUESTS_MS);
    clearInterval(idleCloser);
    if (inFlight > 0) console.log(`[serve] cutting ${inFlight} request(s) still open after ${REQUESTS_MS / 1000} s`);
    // what is left is idle, or cut: a cut stream aborts its upstream call and settles what was served
    server.closeAllConnections();
    // published by instrumentation.ts (lib/workers.ts): resolves when no settle is pending
    const drain = globalThis.tollgateDrainSettles;
    if (drain) {
      const left = await drain(SETTLES_MS);
      if (left > 0)
        console.error(
          `[serve] ${left} settle(s) still pending after ${SETTLES_MS / 1000} s: their holds return when the leases run out`,
        );
    }
    await within(app.close(), 2_000);
    console.log("[serve] stopped");
    process.exit(0);
  }
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => void stop(signal));
}
