// npm run bench:relay — the relay's overhead, in one run against one mock upstream:
//   node proxy     a plain node:http pass-through proxy (the limit of any relay in Node)
//   next forward   a Next route handler that only forwards (/api/bench/forward, lib/bench/routes.ts: the framework's ceiling)
//   relay trust    /v1/chat/completions with the full quota path, PreConsumeMode=trust
//   relay always   the same with PreConsumeMode=always (every request holds its estimate)
// each non-stream and stream, at 1 and at 64 connections (autocannon). Prints req/s and mean/p50/p99
// latency, checks that every relayed request was charged exactly once, and records the figures in
// docs/benchmarks.md (section "Relay").
//
//   BENCH_SECONDS=3 BENCH_ROUNDS=3 (per scenario: the median of ROUNDS alternating runs)
//   BENCH_SKIP_BUILD=1 (reuse the bench build in .next-bench)   BENCH_PG_URL=postgresql://…
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import autocannon from "autocannon";
import hdr from "hdr-histogram-js";
import pg from "pg";
import { ensureBuilt, freshDatabase, ROOT, startApp, writeSection } from "./support";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = [1, 64];
const DB_NAME = "tollgate_bench_relay";
const MODEL = "gpt-4o-mini";

type Row = {
  target: string;
  stream: boolean;
  connections: number;
  rps: number;
  mean: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
};

// ── helper processes ─────────────────────────────────────────────────────────────────────────

async function spawnServer(args: string[]): Promise<{ url: string; child: ChildProcess }> {
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

// ── load ─────────────────────────────────────────────────────────────────────────────────────

/**
 * autocannon with exact latencies: its own histogram keeps whole milliseconds, too coarse here, so
 * every 2xx latency (ms, fractional) is also kept in `samples` and the statistics are taken from
 * those.
 */
async function load(url: string, connections: number, seconds: number, body: string, headers: Record<string, string>) {
  const samples: number[] = [];
  const latencies = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 100_000_000,
    numberOfSignificantValueDigits: 3,
  });
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

/** one user with an unlimited key and a mock channel, created through the services (the money too) */
async function seed(databaseUrl: string, upstream: string): Promise<string> {
  process.env.DATABASE_URL = databaseUrl;
  const { createUser } = await import("@/lib/users/service");
  const { adjustUserQuota } = await import("@/lib/quota/credits");
  const { createKeys } = await import("@/lib/keys/service");
  const { createChannel } = await import("@/lib/channels/service");
  const user = await createUser({ username: "bench", password: "bench-password" });
  await adjustUserQuota(
    { id: null, username: "bench" },
    { userId: user.id, mode: "add", amount: 10n ** 14n, reason: "bench" },
  );
  const [key] = await createKeys(user.id, { name: "bench", unlimitedQuota: true });
  await createChannel({
    name: "mock",
    baseUrl: upstream,
    key: "sk-bench-upstream",
    models: [MODEL],
    groups: ["default"],
  });
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();
  return key.key;
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

const f2 = (n: number) => n.toFixed(2);

function table(rows: Row[]): string {
  return [
    "| target | mode | connections | req/s | mean ms | p50 ms | p99 ms | errors |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.stream ? "stream" : "non-stream"} | ${r.connections} | ${r.rps.toFixed(0)} | ${f2(r.mean)} | ${f2(r.p50)} | ${f2(r.p99)} | ${r.errors} |`,
    ),
  ].join("\n");
}

function verdicts(rows: Row[]): string[] {
  const find = (target: string, stream: boolean, c: number) =>
    rows.find((r) => r.target === target && r.stream === stream && r.connections === c)!;
  const out: string[] = [
    "| mode | check | PreConsumeMode | forward route | relay | result | target | met |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const stream of [false, true]) {
    const m = stream ? "stream" : "non-stream";
    for (const mode of ["trust", "always"]) {
      const fwd = (c: number) => find(`next forward (beside ${mode})`, stream, c);
      const rel = (c: number) => find(`relay ${mode}`, stream, c);
      const added = rel(1).mean - fwd(1).mean;
      const limit = mode === "trust" ? 1 : 2;
      out.push(
        `| ${m} | 1 connection: mean added | ${mode} | ${f2(fwd(1).mean)} ms | ${f2(rel(1).mean)} ms | +${f2(added)} ms | ≤ ${limit} ms | ${added <= limit ? "yes" : "no"} |`,
      );
      const ratio = rel(64).rps / fwd(64).rps;
      out.push(
        `| ${m} | 64 connections: req/s ratio | ${mode} | ${fwd(64).rps.toFixed(0)} | ${rel(64).rps.toFixed(0)} | ${ratio.toFixed(2)} | ≥ 0.6 | ${ratio >= 0.6 ? "yes" : "no"} |`,
      );
    }
  }
  return out;
}

const NOTES = `### Where the time goes

Measured inside the Next handler (performance.now per phase, 1 connection, non-stream, trust mode):
the key check from the in-process cache ~0.04 ms, reading and parsing the body ~0.08 ms, model check +
route + price + estimate ~0.05 ms, the reserve and the upstream call together ~1.5 ms, building the
response ~0.1 ms; the settle runs after the response. Alone, the reserve is ~0.6 ms (one statement
and a commit) and \`SELECT 1\` ~0.15 ms; beside an upstream call inside Next both take about twice that,
because everything shares one event loop and two cores with Next, PostgreSQL, the mock and the load
generator. A CPU profile of the server at 1 connection: the relay's own code is ~0.1 ms per request and
node-postgres ~0.15 ms; the rest of the difference to the forward route is waiting for the database.

What it took to meet the targets (each measured with this script):
- **Settles group-committed** (lib/quota/settle-queue.ts, lib/quota/settle.ts): one runner per
  process settles everything waiting in one statement (tollgate_settle per reservation, one
  transaction, lingering 10 ms to gather a trickle), at most 512 pending before responses wait for
  their own settle. With one settle per transaction, 64 connections on one user reached 0.27× the
  forward route (non-stream, p99 4.3 s: row-lock hand-off on the user, key, channel and rollup rows).
- **Upstream calls through node:http** keep-alive agents instead of fetch(): fetch's CPU in Next's
  single event loop cost ~0.5 ms per request (the forward route uses the same client, so the
  comparison stays fair).
- **The reserve beside the upstream call** (lib/relay/speculation.ts) when this node saw the user's
  wallet (and the key's budget) within 10 s at ≥ 4× the estimate: the reservation statement is sent
  first and the answer is held until it is committed; a refusal aborts the upstream call.
- SSE events that arrive in one upstream chunk are written to the client in one write.

The machine is shared with other work: single runs taken while it was busy ranged from +1.2 to
+1.7 ms at 1 connection (trust) and 0.58–0.66× at 64 connections (several times worse while another
build ran); hence the alternating rounds. Open point: at 64 connections the relay's p99 (0.75–1 s)
is well above the forward route's: requests wait on the user's row locks while a settle batch holds
them, and on their own settle when 512 are pending.`;

// ── main ─────────────────────────────────────────────────────────────────────────────────────

/** the median run (by req/s) of several */
function median<T extends { rps: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") ensureBuilt();
  const mock = await spawnServer(["mock"]);
  const proxy = await spawnServer(["proxy", mock.url]);
  // a failure anywhere below must not leave the two servers running
  process.once("exit", () => {
    mock.child.kill();
    proxy.child.kill();
  });
  const databaseUrl = await freshDatabase(DB_NAME);
  const KEY = await seed(databaseUrl, mock.url);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();

  const bodies = {
    plain: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] }),
    stream: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }], stream: true }),
  };
  const rows: Row[] = [];
  /** 2xx answers of the relay, warm-ups included: each must have exactly one consume log */
  let relayed = 0;
  type Target = { name: string; url: string; headers: Record<string, string>; relay: boolean };
  const print = (r: Row) =>
    console.log(
      `${r.target.padEnd(28)} ${(r.stream ? "stream" : "plain").padEnd(7)} c=${String(r.connections).padEnd(3)} ${r.rps.toFixed(0).padStart(6)} req/s  mean ${f2(r.mean)}  p50 ${f2(r.p50)}  p99 ${f2(r.p99)} ms  errors ${r.errors}`,
    );
  // The machine is shared and its load moves: targets that are compared are measured in
  // alternating rounds (ROUNDS of SECONDS each) and the median round of each is reported.
  const compare = async (targets: Target[]) => {
    for (const stream of [false, true]) {
      const body = stream ? bodies.stream : bodies.plain;
      for (const t of targets) {
        const warm = await load(t.url, 4, 1, body, t.headers); // JIT, pools, caches
        if (t.relay) relayed += warm.ok;
      }
      for (const connections of CONNECTIONS) {
        const runs = new Map<string, Row[]>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const t of targets) {
            const r = await load(t.url, connections, SECONDS, body, t.headers);
            if (t.relay) relayed += r.ok;
            runs.set(t.name, [...(runs.get(t.name) ?? []), { target: t.name, stream, connections, ...r }]);
          }
        }
        for (const t of targets) {
          const m = median(runs.get(t.name)!);
          rows.push(m);
          print(m);
        }
        if (targets.some((t) => t.relay)) await drained(client);
      }
    }
  };

  try {
    await compare([{ name: "node proxy", url: `${proxy.url}/v1/chat/completions`, headers: {}, relay: false }]);
    const env = { TOLLGATE_BENCH_UPSTREAM: mock.url, TOLLGATE_WORKERS: "off" };
    for (const mode of ["trust", "always"] as const) {
      await setMode(client, mode);
      const app = await startApp(databaseUrl, env);
      try {
        await compare([
          {
            name: `next forward (beside ${mode})`,
            url: `${app.url}/api/bench/forward/v1/chat/completions`,
            headers: {},
            relay: false,
          },
          {
            name: `relay ${mode}`,
            url: `${app.url}/v1/chat/completions`,
            headers: { authorization: `Bearer ${KEY}` },
            relay: true,
          },
        ]);
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
  const { rows: dup } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM (SELECT request_id FROM logs WHERE type = 2 GROUP BY 1 HAVING count(*) > 1) d",
  );
  await client.end();
  const cutOff = 2 * 2 * (4 + ROUNDS * CONNECTIONS.reduce((a, b) => a + b, 0));
  const ok =
    logs[0].n >= relayed &&
    logs[0].n - relayed <= cutOff &&
    logs[0].distinct_q === 1 &&
    open[0].open === 0 &&
    dup[0].n === 0;
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
      `Run ${new Date().toISOString().slice(0, 16)}Z by \`npm run bench:relay\`: per scenario the median of ${ROUNDS} runs of ${SECONDS} s, the compared targets`,
      "alternating (the machine is shared and its load moves), after a 1 s warm-up; autocannon (closed loop) on the same 2-core machine as",
      "the app (scripts/serve.mjs, the server of `npm start`), PostgreSQL 15 and the mock upstream (its own process; answers in ~0.1 ms, a stream is 9 events).",
      'One user with one unlimited key (the hot-row case), model gpt-4o-mini, the prompt "Say hello". Latencies are exact',
      "(every response timed), not autocannon's whole-millisecond histogram.",
      "",
      text,
      "",
      ...checks,
      "",
      `Accounting after the run: ${charged}.`,
      "",
      NOTES,
    ].join("\n"),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
