// The settlement API under load: reserve+settle pairs per second at 32 connections, on one hot key
// and spread over the keys of 1,000 users, alternating rounds, medians. Part of `npm run bench:relay`
// (which runs it against its always-mode server); alone, `npm run bench:settle` makes its own
// database and server and records only the "Settlement API" section of docs/benchmarks.md.
//
//   BENCH_SECONDS=3 BENCH_ROUNDS=3   BENCH_MODE=always|trust (alone; default always)
//   BENCH_SKIP_BUILD=1 (use .next as it is)   BENCH_PG_URL=postgresql://…   BENCH_DB_SUFFIX=_mine
import { pathToFileURL } from "node:url";
import {
  benchDatabaseName,
  closedLoop,
  ensureBuilt,
  freshDatabase,
  jsonClient,
  machineLine,
  shortRunWarning,
  median,
  ROUNDS,
  SECONDS,
  startApp,
  writeSection,
  type LoadResult,
} from "./support";

const SETTLE_CONNECTIONS = 32;
const SPREAD_USERS = 1000;
const TARGET_HOT = 1200;
const TARGET_SPREAD = 3000;
const MODEL = "gpt-4o-mini";

export type SettlementSeed = { hot: string; spread: string[]; secret: string };
export type SettlementResult = { hot: LoadResult; spread: LoadResult };

/**
 * A service credential, one user with a key (the hot key) and SPREAD_USERS more users with a key
 * each, in the database of DATABASE_URL. The users are copies of the first (hashing 1,000 passwords
 * would take a minute); their money goes in through the service like any credit.
 */
export async function seedSettlement(): Promise<SettlementSeed> {
  const { createUser } = await import("@/lib/users/service");
  const { adjustUserQuota } = await import("@/lib/quota/credits");
  const { createKeys } = await import("@/lib/keys/service");
  const { createServiceKey } = await import("@/lib/settlement/service-keys");
  const { pgPool } = await import("@/lib/db");
  const first = await createUser({ username: "settle0", password: "password123" });
  const { rows } = await pgPool().query<{ id: number }>(
    `INSERT INTO users (username, password_hash, display_name, aff_code)
     SELECT 'settle' || g, u.password_hash, 'settle' || g, 'settle-aff-' || g
     FROM users u, generate_series(1, $2::int) g WHERE u.id = $1
     RETURNING id`,
    [first.id, SPREAD_USERS],
  );
  const ids = [first.id, ...rows.map((r) => r.id)];
  const keys: string[] = new Array(ids.length);
  // a few at a time: each is a transaction or two
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map(async (userId, j) => {
        await adjustUserQuota(
          { id: null, username: "bench" },
          { userId, mode: "add", amount: 1_000_000_000_000n, reason: "bench" },
        );
        const [key] = await createKeys(userId, {
          name: "bench",
          unlimitedQuota: false,
          remainQuota: 1_000_000_000_000n,
        });
        keys[i + j] = key.key;
      }),
    );
  }
  const service = await createServiceKey("bench");
  return { hot: keys[0], spread: keys.slice(1), secret: service.secret };
}

/** pairs/s on the hot key and on the spread keys, alternating ROUNDS rounds of SECONDS; the medians */
export async function measureSettlement(appUrl: string, seed: SettlementSeed): Promise<SettlementResult> {
  const post = jsonClient(appUrl, { authorization: `Bearer ${seed.secret}` });
  let seq = 0;
  const call = async (p: string, body: unknown) => {
    const { status, json } = await post(p, body);
    const r = json as { success: boolean; data?: { reservation_id: string }; code?: string };
    if (!r.success) throw new Error(`${p}: ${status} ${r.code}`);
    return r.data!;
  };
  const pair = async (key: string) => {
    const r = await call("/api/settlement/reserve", {
      key,
      model: MODEL,
      request_id: `b${process.pid}-${seq++}`,
      prompt_tokens: 200,
      max_tokens: 200,
    });
    await call("/api/settlement/settle", {
      reservation_id: r.reservation_id,
      usage: { prompt_tokens: 180, completion_tokens: 120 },
    });
  };
  const runs: SettlementResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const hot = await closedLoop("settlement, hot key", SETTLE_CONNECTIONS, SECONDS, () => pair(seed.hot));
    const spread = await closedLoop("settlement, spread", SETTLE_CONNECTIONS, SECONDS, (w, i) =>
      pair(seed.spread[(w * 7919 + i * 31) % seed.spread.length]),
    );
    runs.push({ hot, spread });
  }
  return {
    hot: median(runs.map((r) => r.hot)),
    spread: median(runs.map((r) => r.spread)),
  };
}

const f2 = (n: number) => n.toFixed(2);

/** the table and the verdicts, for the console and for docs/benchmarks.md */
export function settlementReport(r: SettlementResult, mode: string, auditDifferences: number): string {
  const row = (name: string, x: LoadResult, target: number) =>
    `| ${name} | ${SETTLE_CONNECTIONS} | ${x.rps.toFixed(0)} | ${f2(x.mean)} | ${f2(x.p50)} | ${f2(x.p99)} | ${x.errors} | ≥ ${target.toLocaleString("en-US")} | ${x.rps >= target ? "yes" : `**no** (${((x.rps / target) * 100).toFixed(0)} % of it)`} |`;
  return [
    `PreConsumeMode=${mode}. A pair is two HTTP calls on one keep-alive connection (reserve, then settle), each one`,
    "database statement; the load generator (node:http, closed loops) runs on the same machine.",
    "",
    "| keys | connections | pairs/s | mean ms | p50 ms | p99 ms | errors | target | met |",
    "|---|---|---|---|---|---|---|---|---|",
    row("one hot key", r.hot, TARGET_HOT),
    row(`keys of ${SPREAD_USERS.toLocaleString("en-US")} users`, r.spread, TARGET_SPREAD),
    "",
    `Ledger audit after the run: ${auditDifferences} differences.`,
  ].join("\n");
}

/** `npm run bench:settle`: the settlement API alone */
async function main() {
  ensureBuilt();
  const mode = process.env.BENCH_MODE === "trust" ? "trust" : "always";
  const databaseUrl = await freshDatabase(benchDatabaseName("tollgate_bench_settle"));
  process.env.DATABASE_URL = databaseUrl;
  const { setOption } = await import("@/lib/options/service");
  await setOption("PreConsumeMode", mode);
  const seed = await seedSettlement();
  const app = await startApp(databaseUrl, { TOLLGATE_WORKERS: process.env.TOLLGATE_WORKERS ?? "off" });
  let result: SettlementResult;
  try {
    result = await measureSettlement(app.url, seed);
  } finally {
    await app.stop();
  }
  const audit = await (await import("@/lib/quota/audit")).auditLedger();
  const report = settlementReport(result, mode, audit.differences.length);
  console.log(report);
  writeSection(
    "Settlement API",
    [
      `${shortRunWarning()}Run ${machineLine()}, by \`npm run bench:settle\`: the median of ${ROUNDS} alternating rounds of ${SECONDS} s per scenario, misses included.`,
      "",
      report,
    ].join("\n"),
  );
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();
  const { closeBus } = await import("@/lib/cache/bus");
  await closeBus();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
