import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import autocannon from "autocannon";
import hdr from "hdr-histogram-js";
import pg from "pg";
import { buildIsStale } from "../build-state.mjs";

// Shared by the benchmark scripts: scratch databases, the built app under scripts/serve.mjs, the
// helper servers, the load generators (autocannon for single requests, a closed loop for anything
// longer), process memory and the report in docs/benchmarks.md.

export const ROOT = path.resolve(import.meta.dirname, "../..");
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432";

/** seconds per measured run and alternating rounds per scenario (the median round is reported) */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** a bench database's name: BENCH_DB_SUFFIX keeps two people's runs on one PostgreSQL apart */
export function benchDatabaseName(base: string): string {
  return `${base}${process.env.BENCH_DB_SUFFIX ?? ""}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** drops and recreates `name`, applies the migrations; returns its URL */
export async function freshDatabase(name: string): Promise<string> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = `${PG_BASE}/${name}`;
  const r = spawnSync(process.execPath, ["scripts/migrate.mjs", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed: ${r.stderr}`);
  return url;
}

/** drops `to` and recreates it as a copy of `from` (which nobody may be connected to); returns its URL */
export async function copyDatabase(from: string, to: string): Promise<string> {
  await adminQuery(`DROP DATABASE IF EXISTS "${to}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${to}" TEMPLATE "${from}"`);
  return `${PG_BASE}/${to}`;
}

/**
 * The production build in .next (`npx next build`), made only when it is missing or older than its
 * sources (scripts/build-state.mjs, as `npm start` decides); BENCH_SKIP_BUILD=1 uses it as it is.
 */
export function ensureBuilt(): void {
  if (process.env.BENCH_SKIP_BUILD === "1" || !buildIsStale(ROOT)) return;
  const r = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

export type App = {
  url: string;
  /** the server's process id (with TOLLGATE_PROCESSES > 1, the primary's: rssBytes counts its workers) */
  pid: number;
  stop: () => Promise<void>;
};

/**
 * The server that `npm start` runs (scripts/serve.mjs) on the build in .next. The environment is
 * the bench's own (TOLLGATE_PROCESSES, REDIS_URL… pass through), then `extraEnv`.
 */
export async function startApp(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<App> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, "scripts/serve.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? "20",
      NEXTAUTH_SECRET: "bench-secret-bench-secret-bench",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      NEXT_TELEMETRY_DISABLED: "1",
      ...extraEnv,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/api/health`, child);
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** polls `url` until it answers 2xx (up to 60 s); fails early when `child` exits */
export async function waitUntilUp(url: string, child: ChildProcess, init?: RequestInit): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url, init);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: not up after 60 s`);
}

/**
 * One of the helper servers of scripts/bench/relay-servers.ts in its own process (so the load
 * generator, the upstream and the proxy do not share an event loop); it prints {"url"} when it listens.
 */
export async function startHelper(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "scripts/bench/relay-servers.ts"), ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const rl = readline.createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`relay-servers ${args[0]} exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

// ── memory ───────────────────────────────────────────────────────────────────────────────────

/** resident memory (VmRSS) of `pid` and every process below it, in bytes (Linux /proc) */
export function rssBytes(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // the command name may hold spaces and parentheses: the fields after it start at the last ")"
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // ended meanwhile
    }
    todo.push(...(children.get(p) ?? []));
  }
  return total;
}

export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

// ── load ─────────────────────────────────────────────────────────────────────────────────────

export type LoadResult = {
  /** successful (2xx) answers per second */
  rps: number;
  mean: number;
  p50: number;
  p99: number;
  /** 2xx answers, the start of the run included */
  ok: number;
  errors: number;
};

function stats(samples: number[], seconds: number, errors: number, ok = samples.length): LoadResult {
  samples.sort((a, b) => a - b);
  return {
    rps: samples.length / seconds,
    mean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : NaN,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    ok,
    errors,
  };
}

/** the p-th percentile of sorted `samples` */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * `connections` closed loops of one POST each (autocannon) for `seconds`. Latencies are exact:
 * autocannon's own histogram keeps whole milliseconds, too coarse here, so every 2xx latency (ms,
 * fractional) is kept and the statistics are taken from those. Requests sent in the first quarter
 * second (up to 0.5 s) are not counted: autocannon opens its connections anew each run, and the
 * set-up wave of `connections` first requests would otherwise land in the p99 of a short run.
 */
export async function postLoad(
  url: string,
  connections: number,
  seconds: number,
  body: string,
  headers: Record<string, string>,
): Promise<LoadResult> {
  const samples: number[] = [];
  const skipMs = Math.min(500, seconds * 250);
  let countFrom = Infinity;
  const latencies = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 100_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const record = latencies.recordValue.bind(latencies);
  latencies.recordValue = (v: number) => {
    // v: this answer's latency in ms, so it was sent at now - v
    if (performance.now() - v >= countFrom) samples.push(v);
    record(Math.max(1, Math.round(v * 1000)));
  };
  countFrom = performance.now() + skipMs;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    histograms: { latencies },
  });
  return stats(samples, seconds - skipMs / 1000, result.non2xx + result.errors + result.timeouts, result["2xx"]);
}

/**
 * Runs `op` in `concurrency` closed loops for `seconds` (after a 1 s warm-up) and measures each op's
 * latency; for operations of several requests (autocannon times single requests). An op that
 * throws counts as an error.
 */
export async function closedLoop(
  label: string,
  concurrency: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const warmUntil = performance.now() + 1000;
  const endAt = warmUntil + seconds * 1000;
  const samples: number[] = [];
  let errors = 0;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < endAt; i++) {
        const t0 = performance.now();
        try {
          await op(w, i);
          if (t0 >= warmUntil) samples.push(performance.now() - t0);
        } catch (e) {
          errors++;
          firstError ??= e;
        }
      }
    }),
  );
  if (firstError) console.error(`${label}: first error:`, firstError);
  return stats(samples, seconds, errors);
}

/** a keep-alive client for closed loops: Node's fetch costs the load generator several times more CPU */
export function jsonClient(baseUrl: string, headers: Record<string, string>) {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  return (p: string, body: unknown): Promise<{ status: number; json: unknown }> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path: p,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            try {
              resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
            } catch (e) {
              reject(e);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
}

/** the median run (by throughput) of several */
export function median<T extends { rps: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

/** the 1-minute load average now */
function loadAverage(): string {
  return fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0];
}

const loadAtStart = loadAverage();

/** a warning before the figures of a run too short to quote (the defaults are 3 rounds of 3 s) */
export function shortRunWarning(): string {
  return SECONDS < 3 || ROUNDS < 3
    ? `**A development run (BENCH_SECONDS=${SECONDS}, BENCH_ROUNDS=${ROUNDS}), not a recorded result: too short to quote.** `
    : "";
}

/** what a recorded run ran on: the date, the machine, the load it shared (other work counts too) */
export function machineLine(): string {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? "unknown CPU";
  const cores = cpuinfo.match(/^processor\s*:/gm)?.length ?? 0;
  return `${new Date().toISOString().slice(0, 16)}Z on ${cores} cores (${cpu}), Node ${process.version}, load average (1 min) ${loadAtStart} at the start and ${loadAverage()} at the end`;
}

/** replaces (or appends) the section `## <title>` of docs/benchmarks.md, keeping the others */
export function writeSection(title: string, body: string): void {
  const file = path.join(ROOT, "docs/benchmarks.md");
  const text = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8")
    : "# Benchmarks\n\nFigures printed by `npm run bench:*` on the development machine (2 cores).\n";
  const heading = `## ${title}`;
  const start = text.indexOf(`${heading}\n`);
  const next = start === -1 ? -1 : text.indexOf("\n## ", start + heading.length);
  const block = `${heading}\n\n${body}\n`;
  const out =
    start === -1
      ? `${text.trimEnd()}\n\n${block}`
      : `${text.slice(0, start)}${block}${next === -1 ? "" : `\n${text.slice(next + 1)}`}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out);
}
