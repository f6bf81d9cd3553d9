// npm run bench:logs — the log pages at ten million rows: p50/p95 of a user's first and a deep page,
// each filter, the stats, the admin page and the charts (the same lib/logs functions the server
// actions call, against PostgreSQL), the CSV export rate with the process's memory, and settle
// latency idle and while retention deletes ~5M rows. Prints a table with the plan of every query
// and records both in docs/benchmarks.md.
//
//   BENCH_LOG_ROWS=10000000   BENCH_RUNS=40 (per scenario)   BENCH_RELOAD=1 (load the data again)
//   BENCH_RETENTION=0 (skip the retention run, which deletes half the data set: the next run reloads)
//   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432 (server; the database is tollgate_bench_logs)
//
// `npm run bench:logs:load` (this script with --load-only) only loads the data set (or finds it
// loaded) and stops: the 10M rows and their rollups, to explore by hand or to bench later.
import os from "node:os";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { DAYS, HEAVY_USER, USERS, loadLogs, loadedRows } from "./logs-data";
import { ROOT, freshDatabase, writeSection } from "./support";

const TOTAL = Number(process.env.BENCH_LOG_ROWS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const PG_BASE = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432";
const DB_NAME = "tollgate_bench_logs";
const DAY = 86_400_000;

const rand = (n: number) => Math.floor(Math.random() * n);
const normalUser = () => 2 + rand(USERS - 1);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

type Row = { name: string; p50: number; p95: number; target: number | null; unit?: string };

/** the bench database, migrated; null when it does not hold a complete load of TOTAL rows */
async function existingLoad(): Promise<string | null> {
  const url = `${PG_BASE}/${DB_NAME}`;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    if ((await loadedRows(client)) !== TOTAL) return null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
  const r = spawnSync(process.execPath, ["scripts/migrate.mjs", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed: ${r.stderr}`);
  return url;
}

async function main() {
  let url = process.env.BENCH_RELOAD === "1" ? null : await existingLoad();
  const client = new pg.Client({ connectionString: url ?? (url = await freshDatabase(DB_NAME)) });
  await client.connect();
  if ((await loadedRows(client)) !== TOTAL) {
    console.log(`loading ${TOTAL.toLocaleString("en-US")} log rows into ${DB_NAME}:`);
    await loadLogs(client, TOTAL);
  } else console.log(`reusing the ${TOTAL.toLocaleString("en-US")} log rows of ${DB_NAME}`);
  if (process.argv.includes("--load-only")) {
    await client.end();
    console.log(`loaded: ${url}`);
    return;
  }

  process.env.DATABASE_URL = url;
  process.env.TOLLGATE_WORKERS = "off";
  const { pgPool } = await import("@/lib/db");
  const { ZAdminLogPageInput, ZAdminLogFilters, ZAdminLogChartInput } = await import("@/lib/logs/filters");
  const { logPage, logStatsOf, usageChartOf } = await import("@/lib/logs/service");

  // every statement the lib runs goes through the pool: keep the last ones, to EXPLAIN them
  const pool = pgPool();
  const seen: { text: string; values: unknown[] }[] = [];
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (text: unknown, values?: unknown) => {
    if (typeof text === "string") seen.push({ text, values: (values as unknown[]) ?? [] });
    return query(text, values);
  };

  const { rows: ids } = await client.query<{ lo: string; hi: string; rid: string }>(
    `SELECT min(id)::text lo, max(id)::text hi, (SELECT request_id FROM logs WHERE user_id = $1 AND request_id IS NOT NULL
       ORDER BY created_at LIMIT 1 OFFSET ${Math.floor(TOTAL / 10)}) rid FROM logs`,
    [HEAVY_USER],
  );
  const now = Date.now();
  const deepCursor = () => `${now - (30 + rand(50)) * DAY}.${ids[0].hi}`;

  const rows: Row[] = [];
  const plans: { name: string; plan: string }[] = [];
  async function scenario(name: string, target: number | null, fn: () => Promise<unknown>) {
    for (let i = 0; i < 3; i++) await fn();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      seen.length = 0;
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    const row = { name, p50: pct(times, 50), p95: pct(times, 95), target };
    rows.push(row);
    console.log(
      `  ${name.padEnd(58)} p50 ${row.p50.toFixed(1).padStart(7)} ms  p95 ${row.p95.toFixed(1).padStart(7)} ms`,
    );
    // the plans of the statements of the last run (the page's, not the filter lookups)
    const main = seen.filter((s) => /FROM (logs|usage_rollups|usage_totals)/.test(s.text));
    const out: string[] = [];
    for (const s of main) {
      const { rows: plan } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (COSTS OFF) ${s.text}`, s.values);
      out.push(
        plan
          .map((r) => r["QUERY PLAN"])
          .filter((l) => /Index|Scan|Sort|Limit|Aggregate|Append|Join|Loop/.test(l))
          .join("\n"),
      );
    }
    plans.push({ name, plan: out.join("\n---\n") });
  }

  const page =
    (filters: { user?: number } & Record<string, unknown>, extra: object = {}, admin = false) =>
    () => {
      const { user, ...rest } = filters;
      const input = ZAdminLogPageInput.parse({ filters: rest, pageSize: 20, ...extra });
      return admin ? logPage({ admin: true }, input) : logPage({ userId: user ?? HEAVY_USER }, input);
    };
  const stats = (scope: { userId: number } | { admin: true }, filters: object) => () =>
    logStatsOf(scope, ZAdminLogFilters.parse(filters));
  const chart = (scope: { userId: number } | { admin: true }, days: number) => () =>
    usageChartOf(scope, ZAdminLogChartInput.parse({ filters: { from: now - days * DAY }, timeZone: "Asia/Shanghai" }));
  const week = () => ({ from: now - 7 * DAY });

  console.log(`\nlog pages (${RUNS} runs each):`);
  await scenario("user: first page (a random user)", 50, () => page({ user: normalUser() })());
  await scenario("heavy user (2M rows): first page", 50, page({}));
  await scenario("heavy user: a deep page (30–80 days back)", 50, () => page({}, { after: deepCursor() })());
  await scenario("heavy user: type = error", 50, page({ type: 5 }));
  await scenario("heavy user: last 7 days", 50, page(week()));
  await scenario("heavy user: 30–37 days ago", 50, page({ from: now - 37 * DAY, to: now - 30 * DAY }));
  await scenario("heavy user: key name", 50, page({ key: "key-2" }));
  await scenario("heavy user: model (a rare one)", 50, page({ model: "model-008" }));
  await scenario("heavy user: group = vip", 50, page({ group: "vip" }));
  await scenario("heavy user: request id", 50, page({ requestId: ids[0].rid }));
  await scenario("heavy user: model + key + 7 days", 50, page({ model: "model-002", key: "key-1", ...week() }));
  await scenario("user: model (a popular one) + 30 days", 50, () =>
    page({ user: normalUser(), model: "model-001", from: now - 30 * DAY })(),
  );
  await scenario("admin: first page (all users)", 50, page({}, {}, true));
  await scenario("admin: a deep page", 50, () => page({}, { after: deepCursor() }, true)());
  await scenario("admin: username", 50, () => page({ username: `bench${normalUser()}` }, {}, true)());
  await scenario("admin: channel", 50, () => page({ channel: 1 + rand(20) }, {}, true)());
  await scenario("admin: model (a rare one)", 50, page({ model: "model-190" }, {}, true));
  await scenario("admin: type = refund, 30 days", 50, page({ type: 6, from: now - 30 * DAY }, {}, true));
  await scenario("admin: group + channel + 7 days", 50, page({ group: "vip", channel: 3, ...week() }, {}, true));

  console.log("\nstats {quota, rpm, tpm}:");
  await scenario("stats: user, 30 days", 50, () => stats({ userId: normalUser() }, { from: now - 30 * DAY })());
  await scenario("stats: heavy user, 7 days", 50, stats({ userId: HEAVY_USER }, week()));
  await scenario("stats: heavy user, all time", 50, stats({ userId: HEAVY_USER }, {}));
  await scenario(
    "stats: heavy user, key + model, 90 days",
    50,
    stats({ userId: HEAVY_USER }, { key: "key-3", model: "model-001", from: now - 90 * DAY }),
  );
  await scenario("stats: admin, all users, 7 days", 50, stats({ admin: true }, week()));
  await scenario(
    "stats: admin, all users, 90 days, odd edges",
    50,
    stats({ admin: true }, { from: now - 90 * DAY + 1_234_567 }),
  );
  await scenario(
    "stats: admin, channel + group, 30 days",
    50,
    stats({ admin: true }, { channel: 4, group: "vip", from: now - 30 * DAY }),
  );

  console.log("\ncharts:");
  await scenario("chart: heavy user, 30 days", 100, chart({ userId: HEAVY_USER }, 30));
  await scenario("chart: heavy user, 90 days", 100, chart({ userId: HEAVY_USER }, 90));
  await scenario("chart: user, 90 days", 100, () => chart({ userId: normalUser() }, 90)());
  await scenario("chart: admin, all users, 30 days", 100, chart({ admin: true }, 30));
  await scenario("chart: admin, all users, 90 days", 100, chart({ admin: true }, 90));
  await scenario("chart: heavy user, 2 days (hourly)", 100, chart({ userId: HEAVY_USER }, 2));

  // two sizes: the memory a stream holds should not grow with the rows it has sent
  const small = await exportRate(url, 5);
  const csv = await exportRate(url, 20);
  const settles = process.env.BENCH_RETENTION === "0" ? null : await settleDuringRetention(client);
  await client.end();
  await pool.end();
  record(rows, plans, csv, small, settles);
}

/** rows/s of the CSV export of the heavy user's last `days` days, and the process's peak memory */
async function exportRate(url: string, days: number) {
  const { exportLogsResponse } = await import("@/lib/logs/export");
  const from = Date.now() - days * DAY;
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t = performance.now();
  const res = await exportLogsResponse(
    new Request(`http://127.0.0.1/api/logs/export?from=${from}&tz=Asia%2FShanghai`),
    { id: HEAVY_USER, username: "bench1", role: 1 } as never,
    "en",
  );
  let bytes = 0;
  let lines = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(timer);
  const out = { rows: lines - 1, seconds, rate: (lines - 1) / seconds, mb: bytes / 1e6, peakMb: (peak - rss0) / 1e6 };
  console.log(
    `\nCSV export: ${out.rows.toLocaleString("en-US")} rows, ${out.mb.toFixed(0)} MB in ${seconds.toFixed(1)} s = ` +
      `${Math.round(out.rate).toLocaleString("en-US")} rows/s; memory +${out.peakMb.toFixed(0)} MB at most (${url.split("/").pop()})`,
  );
  return out;
}

/** settle latency (reserve + settle of one request) idle, then while retention deletes ~5M rows */
async function settleDuringRetention(client: pg.Client) {
  const { reserve, RELAY_OWNER } = await import("@/lib/quota/reserve");
  const { settle } = await import("@/lib/quota/settle");
  const { resolvePricing } = await import("@/lib/quota/pricing");
  const { OPTION_DEFAULTS } = await import("@/lib/options/schemas");
  const { startLogCleanup, runLogCleanups } = await import("@/lib/logs/retention");
  const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
  let seq = 0;
  const once = async () => {
    const user = normalUser();
    const r = await reserve({
      owner: RELAY_OWNER,
      requestId: `bench-${process.pid}-${seq++}`,
      userId: user,
      tokenId: (user - 1) * 3 + 1,
      model: "gpt-4o",
      group: "default",
      estimate: 1000n,
      pricing,
    });
    const t = performance.now();
    await settle(RELAY_OWNER, { reservationId: r.reservationId, quota: 900n, promptTokens: 100, completionTokens: 50 });
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await once();
  const idle: number[] = [];
  for (let i = 0; i < 400; i++) idle.push(await once());
  const cutoff = new Date(Date.now() - (DAYS / 2) * DAY);
  const { rows } = await client.query<{ n: string }>("SELECT count(*)::text n FROM logs WHERE created_at < $1", [
    cutoff,
  ]);
  console.log(`\nretention: deleting ${Number(rows[0].n).toLocaleString("en-US")} rows older than ${DAYS / 2} days…`);
  await client.query("COMMENT ON TABLE logs IS 'bench:consumed'"); // the next run reloads
  const job = await startLogCleanup(cutoff, { id: null, username: "bench" });
  const t = performance.now();
  const during: number[] = [];
  let finished = false;
  const cleanup = runLogCleanups().then((n) => {
    finished = true;
    return n;
  });
  while (!finished) during.push(await once());
  const deleted = await cleanup;
  const seconds = (performance.now() - t) / 1000;
  const out = {
    idle: { p50: pct(idle, 50), p99: pct(idle, 99) },
    during: { p50: pct(during, 50), p99: pct(during, 99), n: during.length },
    deleted,
    seconds,
    job: job.id,
  };
  console.log(
    `settle idle p50 ${out.idle.p50.toFixed(2)} ms p99 ${out.idle.p99.toFixed(2)} ms; during retention ` +
      `p50 ${out.during.p50.toFixed(2)} ms p99 ${out.during.p99.toFixed(2)} ms (${during.length} settles); ` +
      `deleted ${deleted.toLocaleString("en-US")} rows in ${seconds.toFixed(0)} s = ` +
      `${Math.round(deleted / seconds).toLocaleString("en-US")} rows/s`,
  );
  return out;
}

function record(
  rows: Row[],
  plans: { name: string; plan: string }[],
  csv: Awaited<ReturnType<typeof exportRate>>,
  small: Awaited<ReturnType<typeof exportRate>>,
  settles: Awaited<ReturnType<typeof settleDuringRetention>> | null,
) {
  const date = new Date().toISOString().slice(0, 10);
  const cpu = os.cpus()[0]?.model ?? "?";
  const mark = (r: Row) => (r.target === null ? "" : r.p95 <= r.target ? "yes" : "**no**");
  const table = [
    "| query | p50 ms | p95 ms | target p95 | met |",
    "|---|---:|---:|---:|---|",
    ...rows.map((r) => `| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.target ?? ""} | ${mark(r)} |`),
  ].join("\n");
  const settleText = settles
    ? `Settle (one reserved request, \`lib/quota/settle\` directly) idle: p50 ${settles.idle.p50.toFixed(2)} ms, ` +
      `p99 ${settles.idle.p99.toFixed(2)} ms. While retention deleted ${settles.deleted.toLocaleString("en-US")} rows ` +
      `(${settles.seconds.toFixed(0)} s, ${Math.round(settles.deleted / settles.seconds).toLocaleString("en-US")} rows/s): ` +
      `p50 ${settles.during.p50.toFixed(2)} ms, p99 ${settles.during.p99.toFixed(2)} ms over ${settles.during.n} settles ` +
      `(target p99 ≤ 2× idle = ${(2 * settles.idle.p99).toFixed(2)} ms: ${settles.during.p99 <= 2 * settles.idle.p99 ? "met" : "**missed**"}).`
    : "Retention not run (BENCH_RETENTION=0).";
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(", ");
  const body = [
    `${date}, ${os.cpus().length} × ${cpu} (load average at the end ${load}), PostgreSQL on the same machine, ${TOTAL.toLocaleString("en-US")} log rows ` +
      `(${USERS.toLocaleString("en-US")} users, one with 20%, 200 models, 90 days; \`scripts/bench/logs-data.ts\`). ` +
      `Each figure is ${RUNS} runs of the lib/logs function the server action calls (page = 20 rows + capped total), ` +
      "measured in the bench process; random users and cursors per run.",
    "",
    table,
    "",
    `CSV export (heavy user, last 20 days): ${csv.rows.toLocaleString("en-US")} rows in ${csv.seconds.toFixed(1)} s = ` +
      `**${Math.round(csv.rate).toLocaleString("en-US")} rows/s** (target ≥ 50,000), ${csv.mb.toFixed(0)} MB; ` +
      `the process grew by at most ${csv.peakMb.toFixed(0)} MB while streaming (${small.peakMb.toFixed(0)} MB for ` +
      `${small.rows.toLocaleString("en-US")} rows: memory does not follow the row count).`,
    "",
    settleText,
    "",
    "<details><summary>Plans (EXPLAIN of the statements each scenario ran)</summary>",
    "",
    ...plans.map((p) => `**${p.name}**\n\n\`\`\`\n${p.plan}\n\`\`\`\n`),
    "</details>",
  ].join("\n");
  writeSection("Logs at ten million rows (bench:logs)", body);
  console.log("\nrecorded in docs/benchmarks.md");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
