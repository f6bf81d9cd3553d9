import { beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { makeKey, makeUser, rebuildRollups as rebuildFromLogs, rollupDrift } from "@/tests/factories";
import { ZAdminLogPageInput, ZUserLogFilters, ZUserLogPageInput } from "./filters";
import { LOG_TYPE } from "@/lib/quota/row-types";
import { exportLogsResponse } from "./export";
import { logPage, logStatsOf, usageChartOf } from "./service";

// The log pages' queries against rows written straight into the tables, at chosen times, with the
// rollups rebuilt from them as the migration does: each filter, keyset paging both ways, the
// capped total, the stats (rollup hours + log edges) and the chart, and who sees what.

const H = 3_600_000;
const NOW = Date.now();
const T0 = Math.floor(NOW / H) * H - 48 * H; // an hour boundary two days ago

type Seeded = { userId: number; username: string; tokenId: number; tokenName: string };

async function insertLog(
  who: Seeded,
  at: number,
  o: Partial<{
    type: number;
    model: string;
    group: string;
    quota: number;
    prompt: number;
    completion: number;
    requestId: string;
    channelId: number;
    ip: string;
  }> = {},
) {
  await pgPool().query(
    `INSERT INTO logs (user_id, created_at, type, username, token_name, model_name, quota, prompt_tokens,
       completion_tokens, token_id, "group", request_id, channel_id, ip, upstream_request_id, other)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'up-1', $15)`,
    [
      who.userId,
      new Date(at),
      o.type ?? LOG_TYPE.consume,
      who.username,
      who.tokenName,
      o.model ?? "gpt-4o",
      o.quota ?? 100,
      o.prompt ?? 10,
      o.completion ?? 5,
      who.tokenId,
      o.group ?? "default",
      o.requestId ?? null,
      o.channelId ?? null,
      o.ip ?? "",
      JSON.stringify({
        model_ratio: 2.5,
        completion_ratio: 4,
        group_ratio: 1,
        usage_source: "upstream",
        admin_info: { x: 1 },
      }),
    ],
  );
}

/** the rollups as the migration builds them from the logs (settle keeps them so: rollupDrift in the settle tests) */
async function rebuildRollups() {
  await rebuildFromLogs();
  expect(await rollupDrift()).toEqual([]);
}

async function seedUser(name: string): Promise<Seeded> {
  const u = await makeUser({ username: name });
  const k = await makeKey(u.id, { name: `${name}-key` });
  return { userId: u.id, username: u.username, tokenId: k.id, tokenName: `${name}-key` };
}

const userPage = (userId: number, input: unknown) => logPage({ userId }, ZUserLogPageInput.parse(input));
const adminPage = (input: unknown) => logPage({ admin: true }, ZAdminLogPageInput.parse(input));

let alice: Seeded;
let bob: Seeded;

beforeAll(async () => {
  // days of the daily rollups start at midnight in Shanghai (16:00 UTC)
  await setOption("StatsTimeZone", "Asia/Shanghai");
  alice = await seedUser("alice");
  bob = await seedUser("bob");
  // alice: one consume row every 10 minutes for 48 hours, models alternating, one group switch
  for (let i = 0; i < 288; i++) {
    await insertLog(alice, T0 + i * 600_000 + 1_000, {
      model: i % 3 === 0 ? "claude-3" : "gpt-4o",
      group: i >= 280 ? "vip" : "default",
      quota: 100 + i,
      requestId: `req-${i}`,
      channelId: 1,
      ip: "10.0.0.1",
    });
  }
  await insertLog(alice, T0 + 5_000, { type: LOG_TYPE.topup, quota: 5000, model: "" });
  // and a few a day for the week before (odd minutes), for ranges of whole days
  for (let i = 0; i < 42; i++)
    await insertLog(alice, T0 - 7 * 24 * H + i * 4 * H + 37 * 60_000, { quota: 1_000 + i, channelId: 1 });
  await insertLog(bob, T0 + 7_000, { model: "gpt-4o", quota: 999, channelId: 2 });
  await rebuildRollups();
});

describe("log pages: filters and keyset pages", () => {
  it("pages a user's rows newest first, forward and back, with a capped total", async () => {
    const first = await userPage(alice.userId, { filters: {}, pageSize: 50 });
    expect(first.total).toBe(331);
    expect(first.items).toHaveLength(50);
    expect(first.prev).toBeNull();
    expect(first.items[0].requestId).toBe("req-287");
    const second = await userPage(alice.userId, { filters: {}, pageSize: 50, after: first.next });
    expect(second.items[0].requestId).toBe("req-237");
    const back = await userPage(alice.userId, { filters: {}, pageSize: 50, before: second.prev });
    expect(back.items.map((r) => r.id)).toEqual(first.items.map((r) => r.id));
    expect(back.prev).toBeNull();
    // walk to the end: every row once
    const seen = new Set<string>();
    let cursor: string | null | undefined = undefined;
    do {
      const p = await userPage(alice.userId, { filters: {}, pageSize: 100, after: cursor ?? undefined });
      p.items.forEach((r) => seen.add(r.id));
      cursor = p.next;
    } while (cursor);
    expect(seen.size).toBe(331);
  });

  it("applies each filter", async () => {
    const count = async (filters: Record<string, unknown>) =>
      (await userPage(alice.userId, { filters, pageSize: 100 })).total;
    expect(await count({ type: LOG_TYPE.topup })).toBe(1);
    expect(await count({ type: LOG_TYPE.consume })).toBe(330);
    expect(await count({ model: "claude-3" })).toBe(96);
    expect(await count({ group: "vip" })).toBe(8);
    expect(await count({ requestId: "req-7" })).toBe(1);
    expect(await count({ key: "alice-key" })).toBe(331);
    expect(await count({ key: "bob-key" })).toBe(0); // another user's key name finds nothing
    expect(await count({ key: "no-such-key" })).toBe(0);
    expect(await count({ from: T0 + 24 * H, to: T0 + 25 * H })).toBe(6);
    expect(await count({ from: T0 + 24 * H, to: T0 + 25 * H, model: "claude-3" })).toBe(2);
  });

  it("never shows a user another user's rows or the operator's fields; the admin sees both", async () => {
    const mine = await userPage(bob.userId, { filters: {}, pageSize: 100 });
    expect(mine.items).toHaveLength(1);
    const row = mine.items[0] as unknown as Record<string, unknown>;
    for (const k of ["ip", "channelId", "channelName", "upstreamRequestId", "rawOther", "userId", "username"])
      expect(row).not.toHaveProperty(k);
    expect(row.other).not.toHaveProperty("admin_info");
    // a user's page input cannot name a user or a channel
    expect(ZUserLogPageInput.safeParse({ filters: { username: "alice" } }).success).toBe(false);
    expect(ZUserLogPageInput.safeParse({ filters: { channel: 1 } }).success).toBe(false);

    const all = await adminPage({ filters: {}, pageSize: 100 });
    expect(all.total).toBe(332);
    const a = await adminPage({ filters: { username: "ALICE", channel: 1 }, pageSize: 5 });
    expect(a.total).toBe(330);
    expect(a.items[0]).toMatchObject({ username: "alice", ip: "10.0.0.1", upstreamRequestId: "up-1", channelId: 1 });
    expect((await adminPage({ filters: { username: "nobody" } })).total).toBe(0);
    expect((await adminPage({ filters: { key: "bob-key" } })).total).toBe(1);
  });

  it("filters the admin's page by username alone and by channel alone", async () => {
    const byName = await adminPage({ filters: { username: "Alice" }, pageSize: 100 });
    expect(byName.total).toBe(331);
    expect(new Set(byName.items.map((r) => r.username))).toEqual(new Set(["alice"]));
    expect((await adminPage({ filters: { username: "bob" } })).total).toBe(1);
    expect((await adminPage({ filters: { username: "ali" } })).total).toBe(0); // exact, not a prefix

    const one = await adminPage({ filters: { channel: 1 }, pageSize: 100 });
    expect(one.total).toBe(330); // alice's consume rows; the top-up has no channel
    expect(new Set(one.items.map((r) => r.channelId))).toEqual(new Set([1]));
    const two = await adminPage({ filters: { channel: 2 } });
    expect(two.items.map((r) => [r.username, r.channelId])).toEqual([["bob", 2]]);
    expect((await adminPage({ filters: { channel: 3 } })).total).toBe(0);
    // and their stats: one user's rollups, the totals split by channel
    expect((await logStatsOf({ admin: true }, { username: "bob" })).quota).toBe("999");
    expect((await logStatsOf({ admin: true }, { channel: 2 })).quota).toBe("999");
  });

  it("finds a key name that more than a thousand keys share", async () => {
    // 1,200 keys named "shared" (bob's), then one of alice's with a row: the newest key of the name
    await pgPool().query(
      `INSERT INTO tokens (user_id, key_hash, key_prefix, key_last4, name)
       SELECT $1, md5('shared' || i) || md5('k' || i), 'sk-', '0000', 'shared' FROM generate_series(1, 1200) i`,
      [bob.userId],
    );
    const k = await makeKey(alice.userId, { name: "shared" });
    const shared = { ...alice, tokenId: k.id, tokenName: "shared" };
    await insertLog(shared, NOW - 60_000, { quota: 4321, requestId: "req-shared", channelId: 1 });
    await rebuildRollups();
    try {
      const page = await adminPage({ filters: { key: "shared" } });
      expect(page.items.map((r) => r.requestId)).toEqual(["req-shared"]);
      expect((await logStatsOf({ admin: true }, { key: "shared", from: NOW - 2 * H })).quota).toBe("4321");
      const chart = await usageChartOf(
        { admin: true },
        { filters: { key: "shared", from: NOW - 2 * H }, timeZone: "UTC" },
      );
      expect(chart.points.reduce((s, p) => s + BigInt(p.quota), 0n)).toBe(4321n);
      // a user's own scope still holds only their rows
      expect((await userPage(bob.userId, { filters: { key: "shared" } })).total).toBe(0);
      expect((await userPage(alice.userId, { filters: { key: "shared" } })).total).toBe(1);
    } finally {
      await pgPool().query("DELETE FROM logs WHERE request_id = 'req-shared'");
      await pgPool().query("DELETE FROM tokens WHERE name = 'shared'");
      await rebuildRollups();
    }
  });

  it("refuses bad input with a clear error", () => {
    const bad = (filters: unknown) => ZUserLogFilters.safeParse(filters).success;
    expect(bad({ from: 2000, to: 1000 })).toBe(false);
    expect(bad({ from: T0 + H, to: T0 })).toBe(false);
    expect(bad({ type: 42 })).toBe(false);
    expect(bad({ requestId: "x".repeat(10_000) })).toBe(false);
    expect(bad({ colour: "red" })).toBe(false);
    expect(ZUserLogPageInput.safeParse({ filters: {}, pageSize: 1000 }).success).toBe(false);
    expect(ZUserLogPageInput.safeParse({ filters: {}, after: "drop table" }).success).toBe(false);
  });
});

describe("log stats and charts", () => {
  const sumOf = async (userId: number | null, from: number, to: number, extra = "") => {
    const { rows } = await pgPool().query<{ q: string }>(
      `SELECT COALESCE(sum(quota), 0)::text q FROM logs WHERE type = 2 AND created_at >= $1 AND created_at < $2
         ${userId === null ? "" : `AND user_id = ${userId}`} ${extra}`,
      [new Date(from), new Date(to)],
    );
    return rows[0].q;
  };

  it("sums quota over any range exactly (whole hours from the rollups, the ends from the logs)", async () => {
    for (const [from, to] of [
      [T0, T0 + 48 * H],
      [T0 - 8 * 24 * H + 11 * 60_000, T0 + 47 * H + 59 * 60_000],
      [T0 - 6 * 24 * H - 3 * H, T0 - 2 * 24 * H + 5 * H],
      [T0 + 17 * 60_000, T0 + 30 * H + 7 * 60_000],
      [T0 + 5 * 60_000, T0 + 25 * 60_000],
      [T0 - 100 * H, NOW],
    ]) {
      const s = await logStatsOf({ userId: alice.userId }, { from, to });
      expect(s.quota).toBe(await sumOf(alice.userId, from, to));
      const admin = await logStatsOf({ admin: true }, { from, to });
      expect(admin.quota).toBe(await sumOf(null, from, to));
    }
    const m = await logStatsOf({ userId: alice.userId }, { from: T0 + 17 * 60_000, model: "claude-3" });
    expect(m.quota).toBe(await sumOf(alice.userId, T0 + 17 * 60_000, NOW + 1, "AND model_name = 'claude-3'"));
    const g = await logStatsOf({ admin: true }, { group: "vip", channel: 1 });
    expect(g.quota).toBe(await sumOf(alice.userId, 0, NOW + 1, `AND "group" = 'vip'`));
    const all = await logStatsOf({ userId: alice.userId }, {});
    expect(all.quota).toBe(await sumOf(alice.userId, 0, NOW + 1));
    const withChannel = await logStatsOf({ admin: true }, { username: "alice", channel: 1, from: T0 - 9 * 24 * H });
    expect(withChannel.quota).toBe(await sumOf(alice.userId, 0, NOW + 1, "AND channel_id = 1"));
  });

  it("counts days only in zones whose offset is whole hours", async () => {
    await expect(setOption("StatsTimeZone", "Asia/Kolkata")).rejects.toMatchObject({ code: "invalid_option" });
    await expect(setOption("StatsTimeZone", "Mars/Olympus")).rejects.toMatchObject({ code: "invalid_option" });
  });

  it("counts rpm and tpm over the last minute, ignoring the range", async () => {
    await insertLog(alice, Date.now() - 1, { quota: 1, prompt: 7, completion: 3 });
    await insertLog(alice, Date.now() - 2, { quota: 1, prompt: 1, completion: 1, model: "claude-3" });
    const s = await logStatsOf({ userId: alice.userId }, { from: T0, to: T0 + H });
    expect(s).toMatchObject({ rpm: 2, tpm: 12 });
    expect(await logStatsOf({ userId: alice.userId }, { model: "claude-3" })).toMatchObject({ rpm: 1, tpm: 2 });
    expect(await logStatsOf({ userId: bob.userId }, {})).toMatchObject({ rpm: 0, tpm: 0 });
  });

  it("draws quota per hour for two days and per day beyond, top models first", async () => {
    const hourly = await usageChartOf(
      { userId: alice.userId },
      { filters: { from: T0, to: T0 + 48 * H }, timeZone: "UTC" },
    );
    expect(hourly.granularity).toBe("hour");
    expect(hourly.models).toEqual(["gpt-4o", "claude-3"]);
    const total = hourly.points.reduce((s, p) => s + BigInt(p.quota), 0n);
    expect(total.toString()).toBe(await sumOf(alice.userId, T0, T0 + 48 * H));
    expect(new Set(hourly.points.map((p) => p.t)).size).toBe(48);

    const daily = await usageChartOf(
      { userId: alice.userId },
      { filters: { from: T0 - 10 * 24 * H, to: NOW }, timeZone: "Asia/Shanghai" },
    );
    expect(daily.granularity).toBe("day");
    // days start at midnight in the chosen zone (UTC+8)
    for (const p of daily.points) expect(new Date(p.t).getUTCHours()).toBe(16);
    expect(daily.timeZone).toBe("Asia/Shanghai");
    expect(daily.points.reduce((s, p) => s + p.requests, 0)).toBe(330);
    const admin = await usageChartOf({ admin: true }, { filters: { from: T0 - H, to: NOW }, timeZone: "UTC" });
    // whole days: from the start of the day (in the stats zone) that holds the range's start
    const { rows } = await pgPool().query<{ n: number }>(
      `SELECT count(*)::int n FROM logs WHERE type = 2 AND created_at < $2
         AND created_at >= date_trunc('day', $1::timestamptz, 'Asia/Shanghai')`,
      [new Date(T0 - H), new Date(NOW)],
    );
    expect(admin.points.reduce((s, p) => s + p.requests, 0)).toBe(rows[0].n);
    // a channel within one user: from the logs, the same numbers
    const one = await usageChartOf(
      { admin: true },
      { filters: { username: "alice", channel: 1, from: T0 - 10 * 24 * H, to: NOW }, timeZone: "UTC" },
    );
    expect(one.points.reduce((s, p) => s + p.requests, 0)).toBe(330);
  });
});

describe("CSV export", () => {
  const user = (s: Seeded, role = 1) => ({ id: s.userId, username: s.username, role }) as never;
  const exportCsv = async (who: never, query: string, locale: "en" | "zh" = "en", batch?: number) => {
    const res = await exportLogsResponse(new Request(`http://127.0.0.1/api/logs/export?${query}`), who, locale, {
      batch,
    });
    // keep the BOM (Response.text() drops it)
    return { res, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer()) };
  };

  it("streams exactly the filtered rows of the user, with BOM, header, display unit and raw quota", async () => {
    const { res, text } = await exportCsv(
      user(alice),
      `model=claude-3&from=${T0}&to=${T0 + 24 * H}&tz=Asia%2FShanghai`,
    );
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(text.startsWith("\uFEFFTime,Key,Model,Group,Type,")).toBe(true);
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toContain("Quota (USD),Quota (raw)");
    expect(lines).toHaveLength(1 + 48);
    expect(res.headers.get("x-rows-estimate")).toBe("48");
    for (const l of lines.slice(1))
      expect(l).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,alice-key,claude-3,default,Consume,/);
    expect(text).not.toContain("bob");
    expect(text).not.toContain("10.0.0.1"); // the client IP is the operator's
  });

  it("pages through more rows than one batch without losing or repeating one", async () => {
    const { text } = await exportCsv(user(alice), `to=${NOW}`, "en", 7);
    const ids = text
      .trimEnd()
      .split("\r\n")
      .slice(1)
      .map((l) => l.split(",")[12]);
    expect(ids.filter((x) => x.startsWith("req-"))).toHaveLength(288);
    expect(ids).toHaveLength(331);
  });

  it("answers the admin scope only to admins, with the operator's columns, in the user's language", async () => {
    await expect(exportCsv(user(alice), "scope=admin")).rejects.toMatchObject({ status: 403 });
    await expect(exportCsv(user(alice), "username=bob")).rejects.toMatchObject({ status: 400 });
    await expect(exportCsv(user(alice), "tz=Mars%2FBase")).rejects.toMatchObject({ status: 400 });
    const { text } = await exportCsv(user(alice, 10), "scope=admin&username=bob", "zh");
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^时间,用户,令牌,模型/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",bob,bob-key,gpt-4o,default,消费,");
    expect(lines[1]).toContain("up-1");
  });
});
