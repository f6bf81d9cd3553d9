import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";

// Shared by the benchmark scripts: a scratch database, the built app under scripts/serve.mjs, and a
// closed-loop load generator that reports throughput and latency percentiles.

export const ROOT = path.resolve(import.meta.dirname, "../..");
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432";

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

/** drops and recreates `name`, applies the migrations; returns its URL */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = `${PG_BASE}/${name}`;
  const r = spawnSync(process.execPath, ["scripts/migrate.mjs", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed: ${r.stderr}`);
  return url;
}

/**
 * A bench build: the benchmark-only routes (app/api/bench) are compiled only with
 * TOLLGATE_BENCH_ROUTES=1, into .next-bench (next.config.ts), so the normal build in .next never
 * has them. startApp serves that build.
 */
export function ensureBuilt(): void {
  const r = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TOLLGATE_BENCH_ROUTES: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

export async function startApp(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    // the server that npm start runs (scripts/serve.mjs), on the bench build
    [path.join(ROOT, "scripts/serve.mjs")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: "20",
        NEXTAUTH_SECRET: "bench-secret-bench-secret-bench",
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        NEXT_TELEMETRY_DISABLED: "1",
        TOLLGATE_BENCH_ROUTES: "1",
        TOLLGATE_BENCH: "1",
        ...extraEnv,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export type LoadResult = {
  label: string;
  concurrency: number;
  ops: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
  errors: number;
};

/**
 * Runs `op` in `concurrency` closed loops for `seconds` (after a short warm-up) and measures each
 * op's latency. An op that throws counts as an error.
 */
export async function closedLoop(
  label: string,
  concurrency: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<LoadResult> {
  const warmUntil = Date.now() + 1000;
  const endAt = warmUntil + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() < endAt; i++) {
        const t0 = performance.now();
        try {
          await op(w, i);
        } catch (e) {
          errors++;
          firstError ??= e;
        }
        if (t0 >= warmUntil - performance.timeOrigin) latencies.push(performance.now() - t0);
      }
    }),
  );
  if (firstError) console.error(`${label}: first error:`, firstError);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    label,
    concurrency,
    ops: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: pct(50),
    p99: pct(99),
    mean,
    errors,
  };
}

export function printTable(rows: LoadResult[], unit: string): string {
  const lines = [
    `| scenario | clients | ${unit}/s | mean ms | p50 ms | p99 ms | errors |`,
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.mean.toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`,
    ),
  ];
  const text = lines.join("\n");
  console.log(text);
  return text;
}

/** replaces (or appends) the section `## <title>` of docs/benchmarks.md, keeping the others */
export function writeSection(title: string, body: string): void {
  const file = path.join(ROOT, "docs/benchmarks.md");
  const text = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8")
    : "# Benchmarks\n\nFigures printed by `npm run bench:*` on the development machine (2 cores).\n";
  const heading = `## ${title}`;
  const start = text.indexOf(heading);
  const next = start === -1 ? -1 : text.indexOf("\n## ", start + heading.length);
  const block = `${heading}\n\n${body}\n`;
  const out =
    start === -1
      ? `${text.trimEnd()}\n\n${block}`
      : `${text.slice(0, start)}${block}${next === -1 ? "" : text.slice(next + 1)}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out);
}
