// npm run bench:settle — reserve+settle pairs per second through the settlement API, against the
// built app under scripts/serve.mjs and the local PostgreSQL, beside the req/s of a Next route handler
// that does nothing (the framework's ceiling). Prints a table and records it in docs/benchmarks.md.
//
//   BENCH_SECONDS=5 (per scenario)   BENCH_SKIP_BUILD=1 (reuse the bench build in .next-bench)   BENCH_PG_URL=postgresql://…
import { closedLoop, ensureBuilt, freshDatabase, printTable, startApp, writeSection, type LoadResult } from "./support";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = [1, 16, 64];
const DB_NAME = process.env.BENCH_DB_NAME ?? "tollgate_bench_settle";

async function seed(databaseUrl: string, mode: "trust" | "always") {
  process.env.DATABASE_URL = databaseUrl;
  const { setOption } = await import("@/lib/options/service");
  const { createUser } = await import("@/lib/users/service");
  const { adjustUserQuota } = await import("@/lib/quota/credits");
  const { createKeys } = await import("@/lib/keys/service");
  const { createServiceKey } = await import("@/lib/settlement/service-keys");
  await setOption("PreConsumeMode", mode);
  const keys: string[] = [];
  for (let i = 0; i < 101; i++) {
    const user = await createUser({ username: `bench${i}`, password: "password123" });
    await adjustUserQuota(
      { id: null, username: "bench" },
      { userId: user.id, mode: "add", amount: 1_000_000_000_000n },
    );
    const [key] = await createKeys(user.id, { name: "bench", unlimitedQuota: false, remainQuota: 1_000_000_000_000n });
    keys.push(key.key);
  }
  const service = await createServiceKey("bench");
  return { hot: keys[0], spread: keys.slice(1), secret: service.secret };
}

async function main() {
  if (process.env.BENCH_SKIP_BUILD !== "1") ensureBuilt();
  const mode = (process.env.BENCH_MODE as "trust" | "always") ?? "always";
  const databaseUrl = await freshDatabase(DB_NAME);
  const { hot, spread, secret } = await seed(databaseUrl, mode);
  const app = await startApp(databaseUrl, { TOLLGATE_WORKERS: "off" });
  const headers = { "content-type": "application/json", authorization: `Bearer ${secret}` };
  let seq = 0;
  const post = async (p: string, body: unknown) => {
    const res = await fetch(`${app.url}${p}`, { method: "POST", headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { success: boolean; data?: { reservation_id: string }; code?: string };
    if (!json.success) throw new Error(`${p}: ${res.status} ${json.code}`);
    return json.data!;
  };
  const pair = (key: string) => async () => {
    const r = await post("/api/settlement/reserve", {
      key,
      model: "gpt-4o-mini",
      request_id: `b${process.pid}-${seq++}`,
      prompt_tokens: 200,
      max_tokens: 200,
    });
    await post("/api/settlement/settle", {
      reservation_id: r.reservation_id,
      usage: { prompt_tokens: 180, completion_tokens: 120 },
    });
  };
  const rows: LoadResult[] = [];
  try {
    for (const c of CONCURRENCY) {
      rows.push(
        await closedLoop("do-nothing route (requests)", c, SECONDS, async () => {
          const res = await fetch(`${app.url}/api/bench/noop`, { method: "POST", headers, body: "{}" });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`noop ${res.status}`);
        }),
      );
    }
    for (const c of CONCURRENCY) rows.push(await closedLoop("pairs, one hot key", c, SECONDS, pair(hot)));
    for (const c of CONCURRENCY)
      rows.push(
        await closedLoop("pairs, keys of 100 users", c, SECONDS, (w, i) =>
          pair(spread[(w * 7919 + i) % spread.length])(),
        ),
      );
  } finally {
    await app.stop();
  }
  const table = printTable(rows, "ops");
  const audit = await (await import("@/lib/quota/audit")).auditLedger();
  console.log(`ledger audit after the run: ${audit.differences.length} differences`);
  const verdicts = CONCURRENCY.map((c) => {
    const noop = rows.find((r) => r.label.startsWith("do-nothing") && r.concurrency === c)!.perSecond;
    const hotR = rows.find((r) => r.label.includes("hot") && r.concurrency === c)!.perSecond;
    const spreadR = rows.find((r) => r.label.includes("100 users") && r.concurrency === c)!.perSecond;
    const half = noop / 2;
    return `| ${c} | ${half.toFixed(0)} | ${(spreadR / half).toFixed(2)} (target ≥ 0.8) | ${(hotR / half).toFixed(2)} (target ≥ 0.5) |`;
  });
  const section = [
    `Run ${new Date().toISOString().slice(0, 16)}Z, PreConsumeMode=${mode}, ${SECONDS} s per scenario, load generator (Node fetch, closed loop) on the same 2-core machine.`,
    "A pair is two HTTP calls (reserve, then settle) through Next's route handlers, each one database statement.",
    "",
    table,
    "",
    "| clients | half the do-nothing req/s | spread pairs ÷ that | hot-key pairs ÷ that |",
    "|---|---|---|---|",
    ...verdicts,
    "",
    `Ledger audit after the run: ${audit.differences.length} differences.`,
    "",
    "Where the time of a pair goes: each call is one Next route handler (the do-nothing route's cost) plus",
    "one database statement (tollgate_reserve / tollgate_settle, one commit each); the service credential,",
    "the end user's key, the options and the reservation's pricing come from in-process caches. The billing",
    "statements go straight to the pg pool: through Prisma's `$queryRaw` the same calls took ~0.8 ms more",
    "each (a reserve measured 2.3 ms against 1.1 ms on a loaded machine). The hot key is bounded by row-lock",
    "hand-off on one user and one key row; the settlement API settles one reservation per call (the relay",
    "group-commits its own settles, see above).",
  ].join("\n");
  console.log(verdicts.join("\n"));
  writeSection("Settlement API", section);
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();
  const { closeBus } = await import("@/lib/cache/bus");
  await closeBus();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
