// npm run bench:relay — Tollgate beside the gateway people pick instead and beside the ceiling, in one
// run, against one mock upstream (its own process, answers in ~0.1 ms, a stream is 9 events):
//   bare proxy       a plain node:http pass-through proxy (relay-servers.ts: the limit of any relay in Node)
//   Portkey          the Portkey AI gateway 1.15.2, installed on demand (portkey.ts; BENCH_PORTKEY=0 skips it)
//   Tollgate trust   /v1/chat/completions on the server of `npm start` (scripts/serve.mjs), PreConsumeMode=trust
//   Tollgate always  the same on a second server and database, PreConsumeMode=always
// each non-stream and stream, at 1 and 64 connections (autocannon): req/s, mean/p50/p99, and
// Tollgate's ratios to Portkey and to the bare proxy; the four alternate round by round and the median
// round of each is reported. Then the settlement API (settle.ts) on the always server, 1,000 slow
// streams at once on the trust server (streams.ts), and the servers' memory. Checks that every
// relayed request was charged exactly once, prints verdicts against the targets of issue 13 and
// records it all in docs/benchmarks.md (sections "Relay" and "Settlement API").
//
//   BENCH_SECONDS=3 BENCH_ROUNDS=3   BENCH_PORTKEY=0   BENCH_SKIP_BUILD=1 (use .next as it is)
//   BENCH_PG_URL=postgresql://…   BENCH_DB_SUFFIX=_mine (database names)
//   Anything else in the environment reaches the Tollgate servers (TOLLGATE_PROCESSES, REDIS_URL…).
import pg from "pg";
import { startPortkey, PORTKEY_VERSION, type Portkey } from "./portkey";
import { measureSettlement, seedSettlement, settlementReport, type SettlementResult } from "./settle";
import {
  EVENT_MS,
  LONG_EVENTS,
  PIECE,
  SHORT_EVENTS,
  slowStreams,
  STREAMS,
  type StreamRun,
  type StreamTarget,
} from "./streams";
import {
  benchDatabaseName,
  copyDatabase,
  ensureBuilt,
  freshDatabase,
  machineLine,
  shortRunWarning,
  mb,
  median,
  postLoad,
  ROUNDS,
  rssBytes,
  SECONDS,
  startApp,
  startHelper,
  writeSection,
  type App,
  type LoadResult,
} from "./support";

const CONNECTIONS = [1, 64];
const MODEL = "gpt-4o-mini";
/** the slow mock's model: a channel of its own */
const SLOW_MODEL = "gpt-4o";
const MODES = ["trust", "always"] as const;
type Mode = (typeof MODES)[number];

// the targets (issue 13)
const TARGET_VS_PORTKEY: Record<Mode, number> = { trust: 3, always: 2 };
const TARGET_ADDED_MS: Record<Mode, number> = { trust: 0.5, always: 1.5 };
const TARGET_P99_VS_BARE = 3;
const TARGET_RSS_MB = 300;

type Row = LoadResult & { target: string; stream: boolean; connections: number };

// ── database ─────────────────────────────────────────────────────────────────────────────────

type Seed = { key: string; userId: number; slowKey: string; slowUserId: number };

/** a user with an unlimited key on the mock's channel, another on the slow mock's; the money through the services */
async function seedRelay(upstream: string, slowUpstream: string): Promise<Seed> {
  const { createUser } = await import("@/lib/users/service");
  const { adjustUserQuota } = await import("@/lib/quota/credits");
  const { createKeys } = await import("@/lib/keys/service");
  const { createChannel } = await import("@/lib/channels/service");
  const user = async (username: string) => {
    const u = await createUser({ username, password: "bench-password" });
    await adjustUserQuota(
      { id: null, username: "bench" },
      { userId: u.id, mode: "add", amount: 10n ** 14n, reason: "bench" },
    );
    const [key] = await createKeys(u.id, { name: "bench", unlimitedQuota: true });
    return { id: u.id, key: key.key };
  };
  const relay = await user("bench");
  const slow = await user("slow");
  await createChannel({
    name: "mock",
    baseUrl: upstream,
    key: "sk-bench-upstream",
    models: [MODEL],
    groups: ["default"],
  });
  await createChannel({
    name: "slow mock",
    baseUrl: slowUpstream,
    key: "sk-bench-upstream",
    models: [SLOW_MODEL],
    groups: ["default"],
  });
  return { key: relay.key, userId: relay.id, slowKey: slow.key, slowUserId: slow.id };
}

async function setMode(client: pg.Client, mode: Mode) {
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

/**
 * Was every answer of `userId` charged exactly once? When a run stops, autocannon drops the
 * requests in flight: those the upstream had not answered are refunded, the others are charged (a
 * stream cut short at what was served), so there may be up to `cutOff` more consume logs than
 * answers counted, never fewer. With `sameQuota`, every full answer cost the same.
 */
async function chargedOnce(client: pg.Client, userId: number, answered: number, cutOff: number, sameQuota: boolean) {
  const { rows } = await client.query<{ n: number; full: number; distinct_q: number; dup: number }>(
    `SELECT count(*)::int AS n,
            count(*) FILTER (WHERE other->>'usage_source' = 'upstream')::int AS full,
            count(DISTINCT quota) FILTER (WHERE other->>'usage_source' = 'upstream')::int AS distinct_q,
            count(*)::int - count(DISTINCT request_id)::int AS dup
     FROM logs WHERE type = 2 AND user_id = $1`,
    [userId],
  );
  const { rows: res } = await client.query<{ open: number; refunded: number }>(
    `SELECT count(*) FILTER (WHERE status = 1)::int AS open, count(*) FILTER (WHERE status = 3)::int AS refunded
     FROM reservations WHERE user_id = $1`,
    [userId],
  );
  const l = rows[0];
  const ok =
    l.n >= answered &&
    l.n - answered <= cutOff &&
    (!sameQuota || l.distinct_q === 1) &&
    l.dup === 0 &&
    res[0].open === 0;
  const text =
    `${answered} answers, ${l.n} consume logs (${l.n - answered} for requests cut off when a run stopped, at most ${cutOff})` +
    (sameQuota
      ? `, the ${l.full} with the upstream's usage all charged the same (${l.distinct_q === 1 ? "yes" : "NO"})`
      : "") +
    `, ${l.dup} request ids charged twice, ${res[0].open} reservations left open, ${res[0].refunded} refunded: ${ok ? "consistent" : "INCONSISTENT"}`;
  return { ok, text };
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : "n/a");
const kind = (stream: boolean) => (stream ? "stream" : "non-stream");

function table(rows: Row[]): string {
  const find = (target: string, r: Row) =>
    rows.find((x) => x.target === target && x.stream === r.stream && x.connections === r.connections);
  return [
    "| target | kind | connections | req/s | mean ms | p50 ms | p99 ms | errors | req/s ÷ Portkey | req/s ÷ bare |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const ours = r.target.startsWith("Tollgate");
      return `| ${r.target} | ${kind(r.stream)} | ${r.connections} | ${r.rps.toFixed(0)} | ${f2(r.mean)} | ${f2(r.p50)} | ${f2(r.p99)} | ${r.errors} | ${ours ? ratio(r.rps, find("Portkey", r)?.rps) : ""} | ${ours ? ratio(r.rps, find("bare proxy", r)?.rps) : ""} |`;
    }),
  ].join("\n");
}

type Verdict = { what: string; result: string; target: string; met: boolean | null };

function relayVerdicts(rows: Row[]): Verdict[] {
  const find = (target: string, stream: boolean, c: number) =>
    rows.find((r) => r.target === target && r.stream === stream && r.connections === c);
  const out: Verdict[] = [];
  for (const stream of [false, true]) {
    for (const mode of MODES) {
      const ours = (c: number) => find(`Tollgate ${mode}`, stream, c)!;
      const bare = (c: number) => find("bare proxy", stream, c)!;
      const portkey = find("Portkey", stream, 64);
      const k = `${kind(stream)}, ${mode}`;
      const times = portkey ? ours(64).rps / portkey.rps : NaN;
      out.push({
        what: `${k}: req/s at 64 connections ÷ Portkey's`,
        result: portkey
          ? `${times.toFixed(2)}× (${ours(64).rps.toFixed(0)} vs ${portkey.rps.toFixed(0)})`
          : "n/a (Portkey skipped)",
        target: `≥ ${TARGET_VS_PORTKEY[mode]}×`,
        met: portkey ? times >= TARGET_VS_PORTKEY[mode] : null,
      });
      const added = ours(1).mean - bare(1).mean;
      out.push({
        what: `${k}: mean added over the bare proxy at 1 connection`,
        result: `+${f2(added)} ms (${f2(ours(1).mean)} vs ${f2(bare(1).mean)})`,
        target: `≤ ${TARGET_ADDED_MS[mode]} ms`,
        met: added <= TARGET_ADDED_MS[mode],
      });
      const p99 = ours(64).p99 / bare(64).p99;
      out.push({
        what: `${k}: p99 at 64 connections ÷ the bare proxy's`,
        result: `${p99.toFixed(2)}× (${f2(ours(64).p99)} vs ${f2(bare(64).p99)} ms)`,
        target: `≤ ${TARGET_P99_VS_BARE}×`,
        met: p99 <= TARGET_P99_VS_BARE,
      });
    }
  }
  return out;
}

function verdictTable(verdicts: Verdict[]): string {
  return [
    "| check | result | target | met |",
    "|---|---|---|---|",
    ...verdicts.map(
      (v) => `| ${v.what} | ${v.result} | ${v.target} | ${v.met === null ? "n/a" : v.met ? "yes" : "**no**"} |`,
    ),
  ].join("\n");
}

type NamedRun = StreamRun & { target: string };

function streamTable(runs: NamedRun[]): string {
  return [
    "| through | events per stream | bytes of text per event | streams | complete | body per stream | took s | p50 ms to first byte | p99 ms to first byte | RSS before | peak | peak growth per stream | RSS at the end |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...runs.map(
      (r) =>
        `| ${r.target} | ${r.events} | ${r.piece} | ${r.streams} | ${r.complete} | ${(r.bodyBytes / 1024).toFixed(1)} KB | ${r.seconds.toFixed(1)} | ${f2(r.ttfbP50)} | ${f2(r.ttfbP99)} | ${mb(r.baseline)} MB | ${mb(r.peak)} MB | ${((r.peak - r.baseline) / r.streams / 1024).toFixed(1)} KB | ${mb(r.end)} MB |`,
    ),
  ].join("\n");
}

/**
 * Memory per open stream is bounded when the long run's peak is above the short run's by less than
 * half of what holding the extra output would take. Both run after a warm-up run as large as the short
 * one (so the heap has grown to its working size) and the long run goes second, so anything the
 * short one left behind counts against it.
 */
function streamVerdict(short: StreamRun, long: StreamRun): Verdict {
  const extraOutput = (long.bodyBytes - short.bodyBytes) * long.streams;
  const extraPeak = long.peak - short.peak;
  return {
    what: `memory per open stream, outputs of ${(long.bodyBytes / 1024).toFixed(0)} KB (${long.events} events) against ${(short.bodyBytes / 1024).toFixed(0)} KB (${short.events})`,
    result: `peak ${extraPeak >= 0 ? "+" : ""}${mb(extraPeak)} MB (holding the extra output would take ${mb(extraOutput)} MB)`,
    target: "no growth with output length (< half of the extra output)",
    met: extraPeak < extraOutput / 2,
  };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

async function main() {
  ensureBuilt();
  const mock = await startHelper(["mock"]);
  const proxy = await startHelper(["proxy", mock.url]);
  const slow = await startHelper(["slow", String(EVENT_MS)]);
  const slowProxy = await startHelper(["proxy", slow.url]);
  const helpers = [mock.child, proxy.child, slow.child, slowProxy.child];
  // a failure anywhere below must not leave the helpers running
  process.once("exit", () => helpers.forEach((c) => c.kill()));
  let portkey: Portkey | null = null;
  if (process.env.BENCH_PORTKEY === "0") console.log("Portkey: skipped (BENCH_PORTKEY=0)");
  else portkey = await startPortkey();
  if (portkey) process.once("exit", () => portkey?.stop());

  // one database per mode: seeded once (through the services, as the money must be), then copied
  const names = {
    trust: benchDatabaseName("tollgate_bench_relay_trust"),
    always: benchDatabaseName("tollgate_bench_relay_always"),
  };
  const urls = { trust: "", always: await freshDatabase(names.always) };
  process.env.DATABASE_URL = urls.always;
  const seed = await seedRelay(mock.url, slow.url);
  const settleSeed = await seedSettlement();
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();
  urls.trust = await copyDatabase(names.always, names.trust);
  const clients = {
    trust: new pg.Client({ connectionString: urls.trust }),
    always: new pg.Client({ connectionString: urls.always }),
  };
  for (const mode of MODES) {
    await clients[mode].connect();
    await setMode(clients[mode], mode);
  }
  // the background workers (sweeper, outbox) have nothing to do here; TOLLGATE_WORKERS=on runs them
  const appEnv = { TOLLGATE_WORKERS: process.env.TOLLGATE_WORKERS ?? "off" };
  const apps: Record<Mode, App> = {
    trust: await startApp(urls.trust, appEnv),
    always: await startApp(urls.always, appEnv),
  };
  process.once("exit", () => {
    for (const mode of MODES) {
      try {
        process.kill(apps[mode].pid);
      } catch {
        // stopped already
      }
    }
  });

  const bodies = {
    plain: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] }),
    stream: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say hello" }], stream: true }),
  };
  type Target = { name: string; url: string; headers: Record<string, string>; mode?: Mode };
  const targets: Target[] = [
    { name: "bare proxy", url: `${proxy.url}/v1/chat/completions`, headers: {} },
    ...(portkey
      ? [{ name: "Portkey", url: `${portkey.url}/v1/chat/completions`, headers: portkey.headers(mock.url) }]
      : []),
    ...MODES.map((mode) => ({
      name: `Tollgate ${mode}`,
      url: `${apps[mode].url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${seed.key}` },
      mode,
    })),
  ];
  const rows: Row[] = [];
  /** 2xx answers of each Tollgate server, warm-ups included: each must have exactly one consume log */
  const answered: Record<Mode, number> = { trust: 0, always: 0 };
  let settlement: SettlementResult;
  const streamRuns: NamedRun[] = [];
  let warmStreams = 0;
  /** every process of each server: after the relay and settlement load, and at the end (after the slow streams) */
  const rssAfterLoad: { name: string; bytes: number }[] = [];
  const rss: { name: string; bytes: number }[] = [];
  try {
    // The machine is shared and its load moves: the targets are measured in alternating rounds
    // (ROUNDS of SECONDS each) and the median round of each is reported.
    for (const stream of [false, true]) {
      const body = stream ? bodies.stream : bodies.plain;
      for (const t of targets) {
        const warm = await postLoad(t.url, 4, 1, body, t.headers); // JIT, pools, caches
        if (t.mode) answered[t.mode] += warm.ok;
      }
      for (const connections of CONNECTIONS) {
        const runs = new Map<string, Row[]>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const t of targets) {
            const r = await postLoad(t.url, connections, SECONDS, body, t.headers);
            if (t.mode) answered[t.mode] += r.ok;
            runs.set(t.name, [...(runs.get(t.name) ?? []), { target: t.name, stream, connections, ...r }]);
          }
        }
        for (const t of targets) {
          const m = median(runs.get(t.name)!);
          rows.push(m);
          console.log(
            `${m.target.padEnd(16)} ${kind(stream).padEnd(10)} c=${String(connections).padEnd(3)} ${m.rps.toFixed(0).padStart(6)} req/s  mean ${f2(m.mean)}  p50 ${f2(m.p50)}  p99 ${f2(m.p99)} ms  errors ${m.errors}`,
          );
        }
        for (const mode of MODES) await drained(clients[mode]);
      }
    }

    console.log(`settlement API: ${ROUNDS} rounds of ${SECONDS} s, hot key and spread, on the always server`);
    settlement = await measureSettlement(apps.always.url, settleSeed);
    await drained(clients.always);

    for (const mode of MODES) rssAfterLoad.push({ name: `Tollgate ${mode}`, bytes: rssBytes(apps[mode].pid) });
    // the same streams through the bare proxy first: what the machine allows
    const streamTargets: Record<string, StreamTarget> = {
      "bare proxy": { url: slowProxy.url, pid: slowProxy.child.pid!, headers: {} },
      "Tollgate trust": {
        url: apps.trust.url,
        pid: apps.trust.pid,
        headers: { authorization: `Bearer ${seed.slowKey}` },
      },
    };
    for (const [name, target] of Object.entries(streamTargets)) {
      const cold = rssBytes(target.pid);
      if (name.startsWith("Tollgate")) {
        // a warm-up as large as the short run: code, pools and the heap's working size
        console.log(`${STREAMS} slow streams of ${SHORT_EVENTS} events through ${name} (warm-up)`);
        warmStreams = (await slowStreams(target, SLOW_MODEL, STREAMS, SHORT_EVENTS, cold)).complete;
      }
      for (const events of [SHORT_EVENTS, LONG_EVENTS]) {
        console.log(`${STREAMS} slow streams of ${events} events (${EVENT_MS} ms apart) through ${name}`);
        const run = { target: name, ...(await slowStreams(target, SLOW_MODEL, STREAMS, events, cold)) };
        streamRuns.push(run);
        console.log(streamTable([run]).split("\n")[2]);
      }
    }
    await drained(clients.trust);

    for (const mode of MODES) rss.push({ name: `Tollgate ${mode}`, bytes: rssBytes(apps[mode].pid) });
    if (portkey) rss.push({ name: "Portkey", bytes: rssBytes(portkey.pid) });
    rss.push({ name: "bare proxy", bytes: rssBytes(proxy.child.pid!) });
  } finally {
    for (const mode of MODES) await apps[mode].stop();
    portkey?.stop();
    helpers.forEach((c) => c.kill());
  }

  // ── accounting ──
  const cutOff = 2 * (4 + ROUNDS * CONNECTIONS.reduce((a, b) => a + b, 0));
  const accounting: string[] = [];
  let consistent = true;
  for (const mode of MODES) {
    const c = await chargedOnce(clients[mode], seed.userId, answered[mode], cutOff, true);
    accounting.push(`- Tollgate ${mode}, relayed: ${c.text}.`);
    consistent &&= c.ok;
  }
  const ourStreams = streamRuns.filter((r) => r.target.startsWith("Tollgate"));
  const streamed = warmStreams + ourStreams.reduce((a, r) => a + r.complete, 0);
  const s = await chargedOnce(clients.trust, seed.slowUserId, streamed, 0, false);
  accounting.push(`- Tollgate trust, slow streams: ${s.text}.`);
  consistent &&= s.ok;
  for (const mode of MODES) await clients[mode].end();
  const audit = await (await import("@/lib/quota/audit")).auditLedger(); // the always database (DATABASE_URL)
  await disconnectDb();

  // ── report ──
  const relayTable = table(rows);
  const verdicts = [
    ...relayVerdicts(rows),
    ...rss
      .filter((r) => r.name.startsWith("Tollgate"))
      .map((r) => ({
        what: `${r.name}: server RSS at the end of the run`,
        result: `${mb(r.bytes)} MB`,
        target: `≤ ${TARGET_RSS_MB} MB`,
        met: r.bytes <= TARGET_RSS_MB * 1024 * 1024,
      })),
    streamVerdict(ourStreams[0], ourStreams[1]),
  ];
  const rssLine =
    `Resident memory (every process of each server) after the relay and settlement load: ${rssAfterLoad.map((r) => `${r.name} ${mb(r.bytes)} MB`).join(", ")}; ` +
    `at the end of the run, after the slow streams: ${rss.map((r) => `${r.name} ${mb(r.bytes)} MB`).join(", ")}.`;
  const settleText = settlementReport(settlement!, "always", audit.differences.length);
  const streamsText = streamTable(streamRuns);
  console.log(
    [
      "",
      portkey ? "" : "Portkey: skipped",
      relayTable,
      "",
      verdictTable(verdicts),
      "",
      rssLine,
      "",
      streamsText,
      "",
      settleText,
      "",
      ...accounting,
    ].join("\n"),
  );
  const when = machineLine();
  writeSection(
    "Relay",
    [
      `${shortRunWarning()}Run ${when}, by \`npm run bench:relay\` (${process.env.TOLLGATE_PROCESSES ? `TOLLGATE_PROCESSES=${process.env.TOLLGATE_PROCESSES}` : "one process per server"}), misses included.`,
      `Per scenario the median of ${ROUNDS} rounds of ${SECONDS} s, the targets alternating round by round, after a 1 s warm-up; autocannon`,
      "(closed loops) on the same machine as the servers, PostgreSQL and the mock upstream (its own process; answers in ~0.1 ms, a",
      'stream is 9 events). One user with one unlimited key (the hot-row case), model gpt-4o-mini, the prompt "Say hello".',
      "Latencies are exact (every response timed); requests sent in the first quarter second of a run (connection set-up) are not counted.",
      "Tollgate is the server of `npm start` (scripts/serve.mjs, the fast path), one per mode, each on its own copy of the",
      "database, background workers off (TOLLGATE_WORKERS=off unless set). Ratios are of req/s.",
      portkey
        ? `Portkey: @portkey-ai/gateway ${PORTKEY_VERSION} (npm, Node, \`x-portkey-provider: openai\` + \`x-portkey-custom-host\`), with @hono/node-server pinned to 1.13.8 because newer releases break its streams (scripts/bench/portkey.ts). Portkey holds the first chunk of every stream for 25 ms (a \`setTimeout(25)\` in its stream reader), which bounds its streams at 1 connection.`
        : "Portkey: skipped (BENCH_PORTKEY=0 or npm unreachable); the ratios to it are n/a.",
      "",
      relayTable,
      "",
      verdictTable(verdicts),
      "",
      rssLine,
      "",
      `### ${STREAMS.toLocaleString("en-US")} slow streams at once`,
      "",
      `${STREAMS.toLocaleString("en-US")} streamed chat completions started together (one connection each) through the bare proxy, then through the`,
      `trust server, the slow mock upstream sending the role event at once and then ${SHORT_EVENTS} or ${LONG_EVENTS} events of ${PIECE} bytes of text, one every`,
      `${EVENT_MS} ms: the two runs differ only in the length of the output.`,
      "Time to first byte: from the request to the first byte of the response body. RSS (every process of the server) sampled",
      'every 250 ms; "RSS before" is before the first run through that server; Tollgate\'s two runs follow a warm-up run as large',
      "as the short one (the heap grows to its working size once), so the peak growth per stream is from before the warm-up.",
      "",
      streamsText,
      "",
      "### Charged exactly once",
      "",
      ...accounting,
    ].join("\n"),
  );
  writeSection(
    "Settlement API",
    [
      `${shortRunWarning()}Run ${when}, by \`npm run bench:relay\` (or alone, \`npm run bench:settle\`): the median of ${ROUNDS} alternating rounds of ${SECONDS} s, misses included.`,
      "",
      settleText,
    ].join("\n"),
  );
  if (!consistent || audit.differences.length) {
    console.error("ACCOUNTING INCONSISTENT");
    process.exitCode = 1;
  }
  const { closeBus } = await import("@/lib/cache/bus");
  await closeBus();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
