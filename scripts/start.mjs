#!/usr/bin/env node
// `npm start`: from a fresh clone to a running Tollgate. Plain Node ESM with built-in modules only,
// because it runs before the dependencies are installed.
//
//   1. npm ci when node_modules is missing (and the Prisma client when it was never generated)
//   2. the database: DATABASE_URL, else PGlite served over a socket, data in .data/pg
//   3. migrations (scripts/migrate.mjs deploy)
//   4. NEXTAUTH_SECRET (kept in .data/secret) and NEXTAUTH_URL
//   5. next build when the build is missing or older than the sources
//   6. the root account (scripts/cli.ts root:ensure -> lib/users/bootstrap.ts)
//   7. scripts/serve.mjs (Next behind our own node:http server), then a banner; Ctrl-C stops the
//      server first (it finishes requests and writes their settles), then the database (which flushes)
// With --dev (`npm run dev`), step 5 is skipped and step 7 runs `next dev` instead.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIsStale } from "./build-state.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATA_DIR = path.join(ROOT, ".data");
const PG_DIR = path.join(DATA_DIR, "pg");
const PG_LOG = path.join(DATA_DIR, "pglite.log");
const SECRET_FILE = path.join(DATA_DIR, "secret");
const RUN_FILE = path.join(DATA_DIR, "run.json");
const PGLITE_BIN = path.join(ROOT, "node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const SERVE_SCRIPT = path.join(ROOT, "scripts/serve.mjs");

// a .env file (see .env.example) sets what the environment does not
if (fs.existsSync(path.join(ROOT, ".env"))) process.loadEnvFile(path.join(ROOT, ".env"));
const env = process.env;
/** `npm run dev`: the same database and accounts, but `next dev` (hot reload) instead of a build */
const DEV = process.argv.includes("--dev");
const PORT = Number(env.PORT || 3000);
const HOST = env.HOST || "127.0.0.1";
const POOL_SIZE = Number(env.DATABASE_POOL_SIZE || 10);

/** children that must not outlive us: { name, proc } */
const services = [];
/** the one-shot step running now (npm ci, migrate, build...) */
let currentStep = null;
let stopping = false;

const log = (msg) => console.log(`[tollgate] ${msg}`);
const fail = (msg) => {
  const err = new Error(msg);
  err.userFacing = true;
  return err;
};

process.chdir(ROOT);

async function main() {
  if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) throw fail(`PORT must be a port number, got "${env.PORT}"`);
  await ensureDependencies();
  if (!(await portIsFree(PORT, HOST))) {
    throw fail(`port ${PORT} on ${HOST} is already in use: stop what uses it, or start with PORT=<another port>`);
  }

  const childEnv = { ...env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", PORT: String(PORT) };
  let dataNote;
  if (env.DATABASE_URL) {
    await checkReachable(env.DATABASE_URL);
    dataNote = `PostgreSQL at ${redact(env.DATABASE_URL)}`;
  } else {
    childEnv.DATABASE_URL = await startEmbeddedDatabase();
    dataNote = `embedded PostgreSQL (PGlite) in ${path.relative(process.cwd(), PG_DIR) || PG_DIR}/ (log: .data/pglite.log)`;
  }

  log("applying database migrations");
  await runStep("migrate", process.execPath, ["scripts/migrate.mjs", "deploy"], { env: childEnv, quiet: true });

  childEnv.NEXTAUTH_SECRET ||= sessionSecret();
  childEnv.NEXTAUTH_URL ||= `http://localhost:${PORT}`;

  if (!DEV && buildIsStale(ROOT)) {
    log("building the app (next build)");
    await runStep("next build", process.execPath, [NEXT_BIN, "build"], { env: childEnv });
  }

  const root = await ensureRoot(childEnv);

  log(`starting Next${DEV ? " (next dev)" : ""} on ${HOST}:${PORT}`);
  const next = DEV
    ? spawnService("next", process.execPath, [NEXT_BIN, "dev", "-p", String(PORT), "-H", HOST], {
        env: { ...childEnv, NODE_ENV: "development" },
        stdio: ["ignore", "inherit", "inherit"],
      })
    : spawnService("next", process.execPath, [SERVE_SCRIPT], {
        env: { ...childEnv, PORT: String(PORT), HOST, NODE_ENV: "production" },
        stdio: ["ignore", "inherit", "inherit"],
      });
  await waitFor(() => httpAnswers(PORT, HOST), DEV ? 180_000 : 60_000, next, "Next did not answer in time");
  banner({ root, dataNote, env: childEnv });
}

// ── 1. dependencies ────────────────────────────────────────────────────────────────────────────
async function ensureDependencies() {
  // npm writes node_modules/.package-lock.json at the end of a complete install
  if (!fs.existsSync(path.join(ROOT, "node_modules", ".package-lock.json"))) {
    log("installing dependencies (npm ci), once");
    await runStep("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], { env: { ...env, CHECKPOINT_DISABLE: "1" } });
  }
  if (!fs.existsSync(path.join(ROOT, "prisma", "generated", "client.ts"))) {
    log("generating the Prisma client");
    await runStep("prisma generate", "npm", ["run", "-s", "db:generate"], { env });
  }
}

// ── 2. the database ────────────────────────────────────────────────────────────────────────────
async function startEmbeddedDatabase() {
  fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  claimDataDir();
  const port = await freePort();
  // PGlite refuses connections above this cap: the app's pool, plus the migrator, the CLI and psql
  const maxConnections = Math.max(100, POOL_SIZE * 2 + 20);
  // PGlite logs every connection: keep one previous log, start a new one past 10 MB
  if ((fs.statSync(PG_LOG, { throwIfNoEntry: false })?.size ?? 0) > 10 * 1024 * 1024)
    fs.renameSync(PG_LOG, `${PG_LOG}.1`);
  const logFd = fs.openSync(PG_LOG, "a");
  fs.writeSync(logFd, `\n--- ${new Date().toISOString()} pglite-server on 127.0.0.1:${port}\n`);
  log(`starting the embedded database on 127.0.0.1:${port}`);
  const pg = spawnService(
    "database",
    process.execPath,
    [PGLITE_BIN, `--db=${PG_DIR}`, "--host=127.0.0.1", `--port=${port}`, `--max-connections=${maxConnections}`],
    { env, stdio: ["ignore", logFd, logFd] },
  );
  fs.closeSync(logFd);
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  await waitFor(() => tcpAccepts(port, "127.0.0.1"), 120_000, pg, "the embedded database did not start");
  writeRunFile({ databaseUrl: url });
  return url;
}

/**
 * PGlite has no lock of its own: two servers on one directory silently lose writes. .data/run.json
 * names the npm start that owns .data/pg; a live owner stops us, a dead one is taken over.
 */
function claimDataDir() {
  const owner = readRunFile();
  if (owner?.pid && owner.pid !== process.pid && isAlive(owner.pid) && isStartScript(owner.pid)) {
    throw fail(
      `Tollgate is already running from this folder (pid ${owner.pid}); stop it first (its data is in .data/pg)`,
    );
  }
  writeRunFile({});
}

function readRunFile() {
  try {
    return JSON.parse(fs.readFileSync(RUN_FILE, "utf8"));
  } catch {
    return null;
  }
}

function writeRunFile(extra) {
  const data = { pid: process.pid, startedAt: new Date().toISOString(), ...readOwnRunFile(), ...extra };
  fs.writeFileSync(RUN_FILE, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
}

function readOwnRunFile() {
  const r = readRunFile();
  return r?.pid === process.pid ? r : {};
}

function removeRunFile() {
  if (readRunFile()?.pid === process.pid) fs.rmSync(RUN_FILE, { force: true });
}

async function checkReachable(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw fail("DATABASE_URL is not a valid URL");
  }
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw fail("DATABASE_URL must be a postgresql:// URL");
  const host = u.hostname || "127.0.0.1";
  const port = Number(u.port || 5432);
  if (u.searchParams.get("host")?.startsWith("/")) return; // a Unix socket: let the migrator tell
  if (!(await tcpAccepts(port, host))) throw fail(`cannot reach the database at ${host}:${port} (DATABASE_URL)`);
}

// ── 4. the session secret ──────────────────────────────────────────────────────────────────────
function sessionSecret() {
  fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  try {
    const secret = fs.readFileSync(SECRET_FILE, "utf8").trim();
    if (secret.length >= 32) {
      fs.chmodSync(SECRET_FILE, 0o600);
      return secret;
    }
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  // made once and kept, so sessions survive restarts
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(SECRET_FILE, secret + "\n", { mode: 0o600 });
  fs.chmodSync(SECRET_FILE, 0o600);
  log("generated a session secret in .data/secret");
  return secret;
}

// ── 6. the root account ────────────────────────────────────────────────────────────────────────
async function ensureRoot(childEnv) {
  const out = await runStep(
    "root account",
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", "root:ensure"],
    { env: childEnv, capture: true },
  );
  try {
    return JSON.parse(out);
  } catch {
    throw fail(`root account: unexpected output from the CLI: ${out.slice(0, 200)}`);
  }
}

// ── 7. the banner ──────────────────────────────────────────────────────────────────────────────
function banner({ root, dataNote, env: childEnv }) {
  const url = childEnv.NEXTAUTH_URL;
  const lines = [
    `Tollgate is running: ${url}`,
    HOST === "127.0.0.1" || HOST === "localhost"
      ? `(listening on ${HOST}:${PORT} only; set HOST=0.0.0.0 to accept other machines)`
      : `(listening on ${HOST}:${PORT})`,
    "",
  ];
  if (root.generatedPassword) {
    lines.push(
      `Sign in as "${root.username}" with password: ${root.generatedPassword}`,
      "  This password was generated now and is shown only this once; change it after signing in.",
    );
  } else if (root.status === "created") {
    lines.push(`Sign in as "${root.username}" with TOLLGATE_ROOT_PASSWORD (root account created now).`);
  } else if (root.status === "promoted") {
    lines.push(`Sign in as "${root.username}" (promoted to root now) with your password.`);
  } else {
    lines.push(`Sign in as "${root.username}" (root) with the password chosen when it was created.`);
  }
  lines.push(
    "",
    `Data:     ${dataNote}`,
    `Secret:   ${env.NEXTAUTH_SECRET ? "NEXTAUTH_SECRET from the environment" : ".data/secret (sessions survive restarts)"}`,
    `Operator: npm run tollgate -- help`,
    "Stop:     Ctrl-C",
  );
  const width = Math.max(...lines.map((l) => l.length));
  const rule = "─".repeat(width + 4);
  console.log(`\n┌${rule}┐\n${lines.map((l) => `│  ${l.padEnd(width)}  │`).join("\n")}\n└${rule}┘\n`);
}

// ── processes ──────────────────────────────────────────────────────────────────────────────────
/**
 * A long-running child in its own process group, so that the terminal's Ctrl-C reaches only us and
 * we stop the children in order (Next, then the database). Its unexpected exit stops everything.
 */
function spawnService(name, cmd, args, { env: childEnv, stdio }) {
  const proc = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio, detached: true });
  const service = { name, proc, exited: false, code: null };
  proc.on("exit", (code, signal) => {
    service.exited = true;
    service.code = code ?? (signal ? 128 : 1);
    if (!stopping) {
      console.error(
        `[tollgate] ${name} stopped unexpectedly (${signal ?? `exit ${code}`})${name === "database" ? "; see .data/pglite.log" : ""}`,
      );
      void shutdown(service.code || 1);
    }
  });
  services.push(service);
  return service;
}

/** A one-shot step; rejects on a non-zero exit. `capture` returns stdout instead of showing it. */
function runStep(name, cmd, args, { env: childEnv, capture = false, quiet = false }) {
  return new Promise((resolve, reject) => {
    if (stopping) return reject(fail("stopping"));
    const proc = spawn(cmd, args, {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", capture || quiet ? "pipe" : "inherit", capture || quiet ? "pipe" : "inherit"],
    });
    currentStep = proc;
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (err += d));
    proc.on("error", (e) => reject(fail(`${name}: ${e.message}`)));
    proc.on("exit", (code, signal) => {
      currentStep = null;
      if (code === 0) return resolve(out);
      if (stopping) return reject(fail("stopping"));
      if (capture || quiet) process.stderr.write(`${out}${err}`.trimEnd() + "\n");
      reject(fail(`${name} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function waitFor(check, timeoutMs, service, message) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw fail("stopping");
    if (service.exited) throw fail(`${service.name} exited during start-up (exit ${service.code})`);
    if (await check()) return;
    await sleep(150);
  }
  throw fail(message);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tcpAccepts(port, host) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function httpAnswers(port, host) {
  const target = host === "0.0.0.0" || host === "::" || host === "localhost" ? "127.0.0.1" : host;
  try {
    const res = await fetch(`http://${target.includes(":") ? `[${target}]` : target}:${port}/`, {
      redirect: "manual",
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** after a crash the recorded pid may belong to another program by now */
function isStartScript(pid) {
  if (!fs.existsSync("/proc/self/cmdline")) return true; // not Linux: trust the pid
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start.mjs");
  } catch {
    return false;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Sends `signal` to a service's whole process group; resolves when it exited or after `ms`. */
async function stopService(service, signal, ms) {
  if (service.exited) return true;
  try {
    process.kill(-service.proc.pid, signal);
  } catch {
    return true;
  }
  const deadline = Date.now() + ms;
  while (!service.exited && Date.now() < deadline) await sleep(50);
  return service.exited;
}

let shutdownPromise = null;
function shutdown(code) {
  shutdownPromise ??= (async () => {
    stopping = true;
    if (currentStep && currentStep.exitCode === null) currentStep.kill("SIGTERM");
    // Next first, so no request is cut off by the database going away; then the database,
    // which closes PGlite and so flushes it to disk
    for (const name of ["next", "database"]) {
      const service = services.find((s) => s.name === name);
      if (!service || service.exited) continue;
      // the server may take REQUESTS_MS + SETTLES_MS of scripts/serve.mjs to stop gracefully
      if (!(await stopService(service, "SIGTERM", name === "database" ? 30_000 : 20_000))) {
        console.error(`[tollgate] ${name} did not stop in time; killing it`);
        await stopService(service, "SIGKILL", 5_000);
      }
    }
    removeRunFile();
    process.exit(code);
  })();
  return shutdownPromise;
}

let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    const now = Date.now();
    if (!firstSignalAt) {
      firstSignalAt = now;
      log(`stopping (${signal})`);
      void shutdown(0);
    } else if (now - firstSignalAt > 2000) {
      // npm forwards the terminal's Ctrl-C too, so only a later, second one means "hurry"
      console.error("[tollgate] stopping now");
      const next = services.find((s) => s.name === "next" && !s.exited);
      next?.proc.kill("SIGKILL");
    }
  });
}

// Under `npm start` our parent is npm's `sh -c`: a SIGTERM sent to npm (a process manager, a CI
// timeout) kills that shell and never reaches us. Notice the orphaning and stop as if signalled.
if (env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      log("npm went away; stopping");
      void shutdown(0);
    }
  }, 500).unref();
}

// last resort (an exception we did not expect): never leave a child behind
process.on("exit", () => {
  for (const s of services) {
    if (s.exited) continue;
    try {
      process.kill(-s.proc.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (readRunFile()?.pid === process.pid) fs.rmSync(RUN_FILE, { force: true });
});

main().catch((e) => {
  if (!stopping || e?.message !== "stopping") {
    console.error(`[tollgate] error: ${e?.userFacing ? e.message : (e?.stack ?? e)}`);
  }
  void shutdown(stopping ? 0 : 1);
});
