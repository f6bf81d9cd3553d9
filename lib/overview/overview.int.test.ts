import { beforeAll, describe, expect, it } from "vitest";
import { db, pgPool } from "@/lib/db";
import { createChannel } from "@/lib/channels/service";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { setOption } from "@/lib/options/service";
import { makeKey, makeUser, rollupDrift, settleRequest } from "@/tests/factories";
import { getOverview, type OverviewDTO } from "./queries";

// The admin overview against requests settled through the billing module (so the rollups are the
// ones settle writes), moved to chosen times: users and new users of the day, requests and quota of
// the day and the month, the week's top models and users, the channels that failed in the last
// hour. Days are those of the StatsTimeZone option: Asia/Shanghai (UTC+8, no daylight saving),
// so a local day starts at 16:00 UTC and the requests either side of its midnight share a UTC date.

const ZONE = "Asia/Shanghai";
const H = 3_600_000;
const DAY = 24 * H;
const OFFSET = 8 * H;
const MIN = 60_000;

const NOW = Date.now();
const localDay = (t: number) => Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
const TODAY = localDay(NOW);
const WEEK = TODAY - 6 * DAY; // today and the 6 days before it
const local = new Date(NOW + OFFSET);
const MONTH = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - OFFSET;

/**
 * Moves a settled request to `at`: its consume log, and its share of every rollup from the buckets
 * settle put it in (now) to those of `at`, as settle would have written it then.
 */
async function moveRequest(logId: bigint, at: number) {
  const perUser = {
    dims: ["user_id", "model_name", "token_id", `"group"`],
    of: ["l.user_id", "l.model_name", "COALESCE(l.token_id, 0)", `l."group"`],
  };
  const totals = {
    dims: ["model_name", "channel_id", `"group"`],
    of: ["l.model_name", "COALESCE(l.channel_id, 0)", `l."group"`],
  };
  const perModel = { dims: ["model_name"], of: ["l.model_name"] };
  const hour = (t: string) => `date_trunc('hour', ${t}, 'UTC')`;
  const day = (t: string) => `date_trunc('day', ${t}, '${ZONE}')`;
  await db.$transaction(async (tx) => {
    for (const [table, bucket, d] of [
      ["usage_rollups", hour, perUser],
      ["usage_rollups_daily", day, perUser],
      ["usage_totals", hour, totals],
      ["usage_totals_daily", day, totals],
      ["usage_model_totals", hour, perModel],
      ["usage_model_totals_daily", day, perModel],
    ] as const) {
      const match = d.dims.map((c, i) => `r.${c} = ${d.of[i]}`).join(" AND ");
      await tx.$executeRawUnsafe(
        `UPDATE ${table} r SET request_count = r.request_count - 1, quota = r.quota - l.quota,
           prompt_tokens = r.prompt_tokens - l.prompt_tokens, completion_tokens = r.completion_tokens - l.completion_tokens
         FROM logs l WHERE l.id = $1 AND r.bucket = ${bucket("l.created_at")} AND ${match}`,
        logId,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO ${table} AS r (bucket, ${d.dims.join(", ")}, request_count, quota, prompt_tokens, completion_tokens)
           SELECT ${bucket("$2::timestamptz")}, ${d.of.join(", ")}, 1, l.quota, l.prompt_tokens, l.completion_tokens
           FROM logs l WHERE l.id = $1
         ON CONFLICT (bucket, ${d.dims.join(", ")}) DO UPDATE SET request_count = r.request_count + 1,
           quota = r.quota + EXCLUDED.quota, prompt_tokens = r.prompt_tokens + EXCLUDED.prompt_tokens,
           completion_tokens = r.completion_tokens + EXCLUDED.completion_tokens`,
        logId,
        new Date(at),
      );
      await tx.$executeRawUnsafe(`DELETE FROM ${table} WHERE request_count = 0`);
    }
    await tx.$executeRawUnsafe(`UPDATE logs SET created_at = $2 WHERE id = $1`, logId, new Date(at));
  });
}

type Seeded = { id: number; username: string; tokenId: number };
const requests: { user: Seeded; model: string; quota: bigint; at: number }[] = [];
let users: Record<"a" | "b" | "c" | "d" | "e" | "f" | "g", Seeded>;
let overview: OverviewDTO;
let channels: { one: number; two: number };

async function insertErrorLog(userId: number, channelId: number | null, at: number, content: string) {
  await pgPool().query(
    `INSERT INTO logs (user_id, created_at, type, content, model_name, channel_id) VALUES ($1, $2, $3, $4, 'gpt-4o', $5)`,
    [userId, new Date(at), LOG_TYPE.error, content, channelId],
  );
}

beforeAll(async () => {
  await setOption("StatsTimeZone", ZONE);
  const seed = async (createdAt: number | null): Promise<Seeded> => {
    const u = await makeUser({ quota: 1_000_000_000n });
    const k = await makeKey(u.id);
    if (createdAt !== null) await db.user.update({ where: { id: u.id }, data: { createdAt: new Date(createdAt) } });
    return { id: u.id, username: u.username, tokenId: k.id };
  };
  users = {
    a: await seed(TODAY - 1), // the last millisecond of yesterday (local): not new today
    b: await seed(TODAY), // local midnight: new today
    c: await seed(null), // now: new today
    d: await seed(TODAY - 10 * DAY),
    e: await seed(TODAY - 40 * DAY),
    f: await seed(null),
    g: await seed(TODAY - 2 * DAY),
  };
  const c1 = await createChannel({ name: "one", baseUrl: "http://127.0.0.1:9/v1", key: "sk-1", models: "gpt-4o" });
  const c2 = await createChannel({ name: "two", baseUrl: "http://127.0.0.1:9/v1", key: "sk-2", models: "gpt-4o" });
  channels = { one: c1.id, two: c2.id };

  const { a, b, c, d, e, f, g } = users;
  const plan: [Seeded, string, bigint, number | null][] = [
    // today
    [c, "gpt-4o", 1_000n, null],
    [c, "gpt-4o-mini", 50n, null],
    [b, "claude-sonnet-4-5", 700n, TODAY], // local midnight: today
    // the rest of the week
    [a, "gpt-4o", 400n, TODAY - 1], // a millisecond before local midnight: yesterday
    [g, "gpt-4o-mini", 10n, TODAY - 2 * DAY + 3 * H],
    [d, "o3", 900n, TODAY - 3 * DAY + 5 * H],
    [a, "gpt-4.1", 300n, TODAY - 3 * DAY + 5 * H],
    [e, "claude-haiku-4-5", 120n, WEEK], // the first millisecond of the week
    // before the week
    [f, "gpt-4o", 5_000n, WEEK - 1],
    [d, "o3", 8_000n, TODAY - 20 * DAY],
    [e, "gpt-4o", 9_000n, TODAY - 40 * DAY], // before this month, whatever the date
  ];
  for (const [user, model, quota, at] of plan) {
    const s = await settleRequest(user.id, user.tokenId, { quota, model, channelId: channels.one });
    if (at !== null) await moveRequest(s.logId, at);
    requests.push({ user, model, quota, at: at ?? NOW });
  }
  expect(await rollupDrift()).toEqual([]);

  // errors: three of channel one in the last hour (and one just before it), one of channel two,
  // one with no channel
  await insertErrorLog(a.id, channels.one, NOW - 50 * MIN, "HTTP 500 first");
  await insertErrorLog(a.id, channels.one, NOW - 30 * MIN, "HTTP 502 second");
  await insertErrorLog(b.id, channels.one, NOW - 10 * MIN, "HTTP 503 latest");
  await insertErrorLog(b.id, channels.one, NOW - 70 * MIN, "HTTP 500 too old");
  await insertErrorLog(b.id, channels.two, NOW - 5 * MIN, "timeout");
  await insertErrorLog(c.id, null, NOW - 20 * MIN, "no channel");
  await insertErrorLog(c.id, channels.two, NOW - 2 * H, "older still");

  overview = await getOverview();
});

const sumOf = (from: number) => {
  const rows = requests.filter((r) => r.at >= from);
  return { requests: String(rows.length), quota: String(rows.reduce((s, r) => s + r.quota, 0n)) };
};

describe("admin overview", () => {
  it("counts users and the users created today, in the stats time zone", () => {
    expect(overview.timeZone).toBe(ZONE);
    expect(overview.users).toEqual({ total: 7, newToday: 3 });
  });

  it("sums requests and quota of today and of this month, local midnight on the right day", () => {
    expect(overview.today).toEqual({ requests: "3", quota: "1750" });
    expect(overview.today).toEqual(sumOf(TODAY));
    // this month: from the 1st, local time (yesterday's request counts unless today is the 1st)
    expect(overview.month).toEqual(sumOf(MONTH));
    expect(BigInt(overview.month.quota)).toBeGreaterThanOrEqual(1_750n);
  });

  it("lists the top five models by spend over the last 7 days", () => {
    expect(overview.topModels).toEqual([
      { model: "gpt-4o", quota: "1400", requests: "2", tokens: "30" },
      { model: "o3", quota: "900", requests: "1", tokens: "15" },
      { model: "claude-sonnet-4-5", quota: "700", requests: "1", tokens: "15" },
      { model: "gpt-4.1", quota: "300", requests: "1", tokens: "15" },
      { model: "claude-haiku-4-5", quota: "120", requests: "1", tokens: "15" },
    ]); // gpt-4o-mini (60) is sixth
  });

  it("lists the top five users by spend over the last 7 days, ties by id", () => {
    const { a, b, c, d, e } = users;
    expect(overview.topUsers).toEqual([
      { userId: c.id, username: c.username, quota: "1050", requests: "2" },
      { userId: d.id, username: d.username, quota: "900", requests: "1" },
      { userId: a.id, username: a.username, quota: "700", requests: "2" },
      { userId: b.id, username: b.username, quota: "700", requests: "1" },
      { userId: e.id, username: e.username, quota: "120", requests: "1" },
    ]); // g (10) is sixth; f spent only before the week
  });

  it("lists the channels with errors in the last hour, most errors first, with the latest message", () => {
    expect(overview.channelErrors.map(({ lastAt, ...rest }) => ({ ...rest, lastAt: Date.parse(lastAt) }))).toEqual([
      { channelId: channels.one, name: "one", errors: 3, lastAt: NOW - 10 * MIN, lastMessage: "HTTP 503 latest" },
      { channelId: channels.two, name: "two", errors: 1, lastAt: NOW - 5 * MIN, lastMessage: "timeout" },
      { channelId: null, name: null, errors: 1, lastAt: NOW - 20 * MIN, lastMessage: "no channel" },
    ]);
  });

  it("reads the rollups, not the logs: the figures stay when the consume logs are gone", async () => {
    await pgPool().query("DELETE FROM logs WHERE type = $1", [LOG_TYPE.consume]);
    const again = await getOverview();
    expect({ ...again, at: overview.at }).toEqual(overview);
  });
});
