import { beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { resolvePricing } from "@/lib/quota/pricing";
import { reserve } from "@/lib/quota/reserve";
import { settleBatch } from "@/lib/quota/settle";
import { makeKey, makeUser, rebuildRollups, requestId, rollupDrift } from "@/tests/factories";
import { logStatsOf, usageChartOf } from "./service";

// The daily rollups count days of the StatsTimeZone option. Saving another zone rebuilds them from
// the hourly ones in the same transaction, so stats and charts stay equal to the logs across the
// change, and a settle racing the save waits for it instead of writing a day of the old zone.

const H = 3_600_000;
const DAY = 24 * H;
const pricing = resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" });
const MODELS = ["gpt-4o", "claude-3", "gemini"];

let userId: number;
let tokenId: number;
let round = 0;

/** settles `n` requests for real (tollgate_settle), returns their log ids */
async function settleSome(n: number): Promise<bigint[]> {
  const items = [];
  for (let i = 0; i < n; i++) {
    const model = MODELS[(round + i) % MODELS.length];
    const { reservationId } = await reserve({
      owner: "relay",
      requestId: requestId(),
      userId,
      tokenId,
      model,
      group: "default",
      estimate: 100n,
      pricing,
    });
    items.push({ reservationId, quota: BigInt(1_000 + round * 37 + i), promptTokens: 10 + i, completionTokens: 3 });
  }
  round++;
  const results = await settleBatch("relay", items);
  return results.map((r) => {
    if (r instanceof Error) throw r;
    return r.logId;
  });
}

const sumOfLogs = async (from: number, to: number) => {
  const { rows } = await pgPool().query<{ q: string }>(
    `SELECT COALESCE(sum(quota), 0)::text q FROM logs WHERE type = 2 AND created_at >= $1 AND created_at < $2`,
    [new Date(from), new Date(to)],
  );
  return rows[0].q;
};

/** stats of several ranges (odd edges, whole days, all time) and the daily chart equal the logs */
async function expectExact(zoneOffsetHours: number) {
  expect(await rollupDrift()).toEqual([]);
  const now = Date.now();
  const h = Math.floor(now / H) * H;
  for (const [from, to] of [
    [h - 9 * DAY + 17 * 60_000, now],
    [h - 8 * DAY - 5 * H, h - 2 * DAY + 7 * H],
    [h - 6 * DAY, h - DAY],
    [h - 10 * DAY, now + 1],
  ]) {
    expect((await logStatsOf({ userId }, { from, to })).quota).toBe(await sumOfLogs(from, to));
    expect((await logStatsOf({ admin: true }, { from, to })).quota).toBe(await sumOfLogs(from, to));
  }
  expect((await logStatsOf({ admin: true }, {})).quota).toBe(await sumOfLogs(0, now + 1));
  for (const scope of [{ userId }, { admin: true as const }]) {
    const chart = await usageChartOf(scope, { filters: { from: h - 9 * DAY, to: now }, timeZone: "UTC" });
    expect(chart.granularity).toBe("day");
    for (const p of chart.points) expect(new Date(p.t).getUTCHours()).toBe((24 - zoneOffsetHours) % 24);
    // whole days from the start of the day that holds the range's start
    const start = new Date(chart.points[0].t).getTime();
    const total = chart.points.reduce((s, p) => s + BigInt(p.quota), 0n);
    expect(total.toString()).toBe(await sumOfLogs(start, now + 1));
  }
}

beforeAll(async () => {
  await setOption("StatsTimeZone", "Asia/Shanghai");
  const u = await makeUser({ quota: 100_000_000n });
  userId = u.id;
  tokenId = (await makeKey(u.id)).id;
  // ten days of settles: each round is settled now, then moved back to its day and hour
  for (let d = 9; d >= 1; d--) {
    const ids = await settleSome(4);
    await pgPool().query("UPDATE logs SET created_at = created_at - $2::interval WHERE id = ANY($1::bigint[])", [
      ids,
      `${d * 24 + ((d * 7) % 24)} hours`,
    ]);
  }
  await rebuildRollups();
  // and today's, as settle writes them
  await settleSome(5);
});

describe("changing the stats time zone", () => {
  it("keeps stats, charts and every rollup equal to the logs", async () => {
    await expectExact(8);
    await setOption("StatsTimeZone", "UTC");
    await expectExact(0);
    await settleSome(3);
    await expectExact(0);
    await setOption("StatsTimeZone", "America/Sao_Paulo");
    await settleSome(2);
    await expectExact(-3);
    await setOption("StatsTimeZone", "Asia/Shanghai");
    await expectExact(8);
  });

  it("makes a settle in flight finish first, and the next ones wait for the rebuild", async () => {
    // a settle in flight holds the zone lock shared until it commits
    const client = await pgPool().connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock_shared(hashtext('tollgate:stats_zone'))");
      let saved = false;
      const save = setOption("StatsTimeZone", "UTC").then(() => (saved = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(saved).toBe(false);
      await client.query("COMMIT");
      await save;
      // with the rebuild committed, a settle writes days of the new zone
      await settleSome(2);
      await expectExact(0);
    } finally {
      client.release();
    }
  });
});
