// npm run bench:relay — the relay's overhead, in one run against one mock upstream:
//   node proxy     a plain node:http pass-through proxy (the limit of any relay in Node)
//   next forward   a Next route handler that only forwards (app/api/bench/forward: the framework's ceiling)
//   relay trust    /v1/chat/completions with the full quota path, PreConsumeMode=trust
//   relay always   the same with PreConsumeMode=always (every request holds its estimate)
// each non-stream and stream, at 1 and at 64 connections (autocannon). Prints req/s and mean/p50/p99
// latency, checks that every relayed request was charged exactly once, and records the figures in
// docs/benchmarks.md (section "Relay").
//
//   BENCH_SECONDS=5 (per scenario)   BENCH_SKIP_BUILD=1 (reuse .next)   BENCH_PG_URL=postgresql://…
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import autocannon from "autocannon";
import hdr from "hdr-histogram-js";
import pg from "pg";
import { createHash } from "node:crypto";
import { ensureBuilt, freshDatabase, ROOT, startApp } from "./support";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = [1, 64];
const DB_NAME = "tollgate_bench_relay";
const MODEL = "gpt-4o-mini";
const KEY_BODY = "BenchKey0000000000000000000000000000000000000000".slice(0, 48);
const KEY = `sk-${KEY_BODY}`;

type Row = { target: string; stream: boolean; connections: number; rps: number; mean: number; p50: number; p99: number; ok: number; errors: number };

// ── helper processes ─────────────────────────────────────────────────────────────────────────

async function spawnServer(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/bench/relay-servers.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const rl = readline.createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`relay-servers ${args[0]} exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

// ── load ─────────────────────────────────────────────────────────────────────────────────────

/**
 * autocannon with exact latencies: its own histogram keeps whole milliseconds, too coarse here, so
 * every 2xx latency (ms, fractional) is also kept in `samples` and the statistics are taken from
 * those.
 */
async function load(url: string, connections: number, seconds: number, body: string, headers: Record<string, string>) {
  const samples: number[] = [];
  const latencies = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000, numberOfSignificantValueDigits: 3 });
  const record = latencies.recordValue.bind(latencies);
  latencies.recordValue = (v: number) => {
    samples.push(v);
    record(Math.max(1, Math.round(v * 1000)));
  };
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    histograms: { latencies },
  });
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? NaN;
  const ok = result["2xx"];
  return {
    rps: ok / seconds,
    mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
    p50: pct(50),
    p99: pct(99),
    ok,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

// ── database ─────────────────────────────────────────────────────────────────────────────────

async function seed(client: pg.Client, upstream: string) {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO users (username, password_hash, display_name, quota, aff_code) VALUES ('bench', '!', 'bench', 0, 'benchaff01') RETURNING id`,
  );
  const userId = rows[0].id;
  const opening = 10n ** 15n;
  await client.query("UPDATE users SET quota = $2 WHERE id = $1", [userId, String(opening)]);
  await client.query(`INSERT INTO logs (user_id, type, username, quota, content) VALUES ($1, 3, 'bench', $2, 'bench opening balance')`, [userId, String(opening)]);
  await client.query(
    `INSERT INTO tokens (user_id, key_hash, key_prefix, key_last4, name, unlimited_quota, remain_quota, granted_quota)
     VALUES ($1, $2, $3, $4, 'bench', true, 0, 0)`,
    [userId, createHash("sha256").update(KEY_BODY).digest("hex"), KEY_BODY.slice(0, 4), KEY_BODY.slice(-4)],
  );
  await client.query(
    `INSERT INTO channels (name, base_url, key, models, groups, updated_at) VALUES ('mock', $1, 'sk-bench-upstream', $2, '{default}', now())`,
    [upstream, [MODEL]],
  );
}

async function setMode(client: pg.Client, mode: "trust" | "always") {
  await client.query(
    `INSERT INTO options (key, value, updated_at) VALUES ('PreConsumeMode', $1, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify(mode)],
  );
}

/** waits until no reservation is open (the settles after the responses are done) */
async function drained(client: pg.Client) {
  for (let i = 0; i < 600; i++) {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM reservations WHERE status = 1");
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("reservations still open 60 s after the load");
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

function writeSection(title: string, body: string) {
  const file = path.join(ROOT, "docs/benchmarks.md");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nFigures printed by `npm run bench:*` on the development machine (2 cores).\n";
  const heading = `## ${title}`;
  const start = text.indexOf(heading);
  const next = start === -1 ? -1 : text.indexOf("\n## ", start + heading.length);
  const block = `${heading}\n\n${body}\n`;
  const out = start === -1 ? `${text.trimEnd()}\n\n${block}` : `${text.slice(0, start)}${block}${next === -1 ? "" : text.slice(next + 1)}`;
  fs.writeFileSync(file, out);
}

const f2 = (n: number) => n.toFixed(2);

function table(rows: Row[]): string {
  return [
    "| target | mode | connections | req/s | mean ms | p50 ms | p99 ms | errors |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.target} | ${r.stream ? "stream" : "non-stream"} | ${r.connections} | ${r.rps.toFixed(0)} | ${f2(r.mean)} | ${f2(r.p50)} | ${f2(r.p99)} | ${r.errors} |`),
  ].join("\n");
}

function verdicts(rows: Row[]): string[] {
  const find = (target: string, stream: boolean, c: number) => rows.find((r) => r.target === target && r.stream === stream && r.connections === c)!;
  const out: string[] = ["| mode | check | forward route | relay trust | relay always | target | met |", "|---|---|---|---|---|---|---|"];
  for (const stream of [false, true]) {
    const m = stream ? "stream" : "non-stream";
    const fwd1 = find("next forward", stream, 1);
    const t1 = find("relay trust", stream, 1);
    const a1 = find("relay always", stream, 1);
    const addT = t1.mean - fwd1.mean;
    const addA = a1.mean - fwd1.mean;
    out.push(`| ${m} | 1 connection: mean added over the forward route | ${f2(fwd1.mean)} ms | +${f2(addT)} ms | +${f2(addA)} ms | trust ≤ 1 ms, always ≤ 2 ms | ${addT <= 1 && addA <= 2 ? "yes" : "no"} |`);
    const fwd64 = find("next forward", stream, 64);
    const t64 = find("relay trust", stream, 64);
    const a64 = find("relay always", stream, 64);
    const rt = t64.rps / fwd64.rps;
    const ra = a64.rps / fwd64.rps;
    out.push(`| ${m} | 64 connections: req/s ÷ forward route | ${fwd64.rps.toFixed(0)} | ${rt.toFixed(2)} | ${ra.toFixed(2)} | ≥ 0.6 | ${rt >= 0.6 && ra >= 0.6 ? "yes" : "no"} |`);
  }
  return out;
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") ensureBuilt();
  const mock = await spawnServer(["mock"]);
  const proxy = await spawnServer(["proxy", mock.url]);
  const databaseUrl = await freshDatabase(DB_NAME);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await seed(client, mock.url);

  const bodies = {
    plain: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] }),
    stream: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }], stream: true }),
  };
  const rows: Row[] = [];
  /** 2xx answers of the relay, warm-ups included: each must have exactly one consume log */
  let relayed = 0;
  const run = async (target: string, url: string, headers: Record<string, string> = {}) => {
    const isRelay = target.startsWith("relay");
    for (const stream of [false, true]) {
      const body = stream ? bodies.stream : bodies.plain;
      const warm = await load(url, 4, 1, body, headers); // warm-up (JIT, pools, caches)
      if (isRelay) relayed += warm.ok;
      for (const connections of CONNECTIONS) {
        const r = await load(url, connections, SECONDS, body, headers);
        rows.push({ target, stream, connections, ...r });
        console.log(`${target.padEnd(13)} ${(stream ? "stream" : "plain").padEnd(7)} c=${String(connections).padEnd(3)} ${r.rps.toFixed(0).padStart(6)} req/s  mean ${f2(r.mean)}  p50 ${f2(r.p50)}  p99 ${f2(r.p99)} ms  errors ${r.errors}`);
        if (isRelay) relayed += r.ok;
      }
      if (isRelay) await drained(client);
    }
  };

  try {
    await run("node proxy", `${proxy.url}/v1/chat/completions`);
    const env = { TOLLGATE_BENCH_UPSTREAM: mock.url, TOLLGATE_WORKERS: "off" };
    for (const mode of ["trust", "always"] as const) {
      await setMode(client, mode);
      const app = await startApp(databaseUrl, env);
      try {
        if (mode === "trust") await run("next forward", `${app.url}/api/bench/forward/v1/chat/completions`);
        await run(`relay ${mode}`, `${app.url}/v1/chat/completions`, { authorization: `Bearer ${KEY}` });
      } finally {
        await app.stop();
      }
    }
  } finally {
    mock.child.kill();
    proxy.child.kill();
  }

  // every relayed request was charged exactly once. When a run stops, autocannon drops the
  // requests in flight: those the upstream had not answered are refunded, the others are charged
  // (a stream cut short at what was served), so there may be up to `connections` more consume
  // logs than counted answers per run, never fewer.
  const { rows: logs } = await client.query<{ n: number; full: number; distinct_q: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE other->>'usage_source' = 'upstream')::int AS full,
            count(DISTINCT quota) FILTER (WHERE other->>'usage_source' = 'upstream')::int AS distinct_q
     FROM logs WHERE type = 2`,
  );
  const { rows: open } = await client.query<{ open: number; refunded: number }>(
    "SELECT count(*) FILTER (WHERE status = 1)::int AS open, count(*) FILTER (WHERE status = 3)::int AS refunded FROM reservations",
  );
  const { rows: dup } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM (SELECT request_id FROM logs WHERE type = 2 GROUP BY 1 HAVING count(*) > 1) d");
  await client.end();
  const cutOff = CONNECTIONS.reduce((a, b) => a + b, 0) * 2 * 2;
  const ok = logs[0].n >= relayed && logs[0].n - relayed <= cutOff && logs[0].distinct_q === 1 && open[0].open === 0 && dup[0].n === 0;
  const charged =
    `${relayed} answers received from the relay, ${logs[0].n} consume logs (${logs[0].n - relayed} for requests cut off when a run stopped), ` +
    `${logs[0].full} with the upstream's usage all charged the same amount (${logs[0].distinct_q === 1 ? "yes" : "NO"}), ` +
    `${dup[0].n} request ids charged twice, ${open[0].open} reservations left open, ${open[0].refunded} refunded (cut off before the upstream answered): ${ok ? "consistent" : "INCONSISTENT"}`;
  console.log(charged);

  const text = table(rows);
  const checks = verdicts(rows);
  console.log(`\n${text}\n\n${checks.join("\n")}`);
  writeSection(
    "Relay",
    [
      `Run ${new Date().toISOString().slice(0, 16)}Z by \`npm run bench:relay\`: ${SECONDS} s per scenario after a 1 s warm-up, autocannon (closed loop) on the same 2-core machine as`,
      "the app (`next start`), PostgreSQL 15 and the mock upstream (its own process; answers in ~0.1 ms, a stream is 9 events).",
      "One user with one unlimited key (the hot-row case), model gpt-4o-mini, the prompt \"Say hello\". Latencies are exact",
      "(every response timed), not autocannon's whole-millisecond histogram.",
      "",
      text,
      "",
      ...checks,
      "",
      `Accounting after the run: ${charged}.`,
    ].join("\n"),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
