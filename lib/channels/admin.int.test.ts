import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listAdminAudits } from "@/lib/audit/service";
import { setOption } from "@/lib/options/service";
import { truncateAll } from "@/tests/truncate";
import { MockUpstream } from "@/e2e/support/mock-upstream";
import { MockDialects } from "@/e2e/support/mock-dialects";
import { resetRouting } from "./routing";
import { createChannel, deleteChannels, recordChannelError, setChannelStatus, updateChannel } from "./service";
import { listChannelsWithStats } from "./queries";
import { testChannel } from "./probe";

// The admin console's channel writes: each one an audit row (key masked) in its transaction, bad
// input refused with a field error and nothing stored; the test button against a real upstream.

const ADMIN = { id: 7, username: "alice" };
const KEY = "sk-upstream-0123456789-secret";
const base = { name: "c", baseUrl: "http://127.0.0.1:9/v1", key: KEY, models: "gpt-4o, gpt-4o-mini" };
let mock: MockUpstream;

beforeAll(async () => {
  mock = await MockUpstream.start();
});
afterAll(async () => {
  await mock.close();
});

beforeEach(async () => {
  await truncateAll();
  resetRouting();
  mock.reset();
});

const trail = async () => (await listAdminAudits({ targetType: "channel" })).items.reverse();

describe("channel writes and the audit trail", () => {
  it("records create, update, status and delete with the operator, before and after, the key masked", async () => {
    const c = await createChannel(base, ADMIN);
    await updateChannel({ id: c.id, priority: 5, key: "sk-another-key-9876543210" }, ADMIN);
    await setChannelStatus({ id: c.id, status: 2 }, ADMIN);
    await deleteChannels({ ids: [c.id] }, ADMIN);
    const rows = await trail();
    expect(rows.map((r) => [r.action, r.operator, r.operatorId, r.targetId])).toEqual([
      ["channel.create", "alice", 7, String(c.id)],
      ["channel.update", "alice", 7, String(c.id)],
      ["channel.status", "alice", 7, String(c.id)],
      ["channel.delete", "alice", 7, String(c.id)],
    ]);
    expect(rows[0].after).toMatchObject({ name: "c", key: "sk-…cret", models: ["gpt-4o", "gpt-4o-mini"] });
    expect(rows[1].before).toMatchObject({ priority: 0, key: "sk-…cret" });
    expect(rows[1].after).toMatchObject({ priority: 5, key: "sk-…3210" });
    expect(rows[2].before).toMatchObject({ status: 1 });
    expect(rows[2].after).toMatchObject({ status: 2 });
    expect(JSON.stringify(rows)).not.toContain("0123456789");
  });

  it.each([
    [{ baseUrl: "ftp://example.com" }, "baseUrl"],
    [{ baseUrl: "javascript:alert(1)" }, "baseUrl"],
    [{ baseUrl: "http://169.254.169.254/" }, "baseUrl"],
    [{ modelMapping: "{not json" }, "modelMapping"],
    [{ weight: -1 }, "weight"],
    [{ models: "" }, "models"],
    [{ groups: "default, no-such-group" }, "groups"],
    [{ groups: "" }, "groups"],
  ])("refuses %j with a field error, stores nothing and records nothing", async (bad, field) => {
    await expect(createChannel({ ...base, ...bad } as never, ADMIN)).rejects.toMatchObject({
      fieldErrors: { [field]: expect.any(Array) },
    });
    expect(await db.channel.count()).toBe(0);
    expect(await db.adminAudit.count()).toBe(0);
  });

  it("accepts only known groups, on update too: user-usable ones and those given a ratio", async () => {
    const c = await createChannel({ ...base, groups: "default, vip" }, ADMIN);
    await expect(updateChannel({ id: c.id, groups: "vip, gold" } as never, ADMIN)).rejects.toMatchObject({
      code: "unknown_group",
      fieldErrors: { groups: [expect.stringContaining("gold")] },
    });
    expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).groups).toEqual(["default", "vip"]);
    expect((await trail()).map((r) => r.action)).toEqual(["channel.create"]);
    // a group becomes known once it has a ratio
    await setOption("GroupRatio", JSON.stringify({ default: 1, vip: 1, gold: 2 }));
    await updateChannel({ id: c.id, groups: "vip, gold" } as never, ADMIN);
    expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).groups).toEqual(["vip", "gold"]);
  });

  it("an update of a missing channel is not found and records nothing", async () => {
    await expect(updateChannel({ id: 999, priority: 1 }, ADMIN)).rejects.toMatchObject({ code: "not_found" });
    expect(await db.adminAudit.count()).toBe(0);
  });
});

describe("the admin list", () => {
  it("shows used quota, requests from the daily rollups and the last error", async () => {
    const a = await createChannel({ ...base, name: "a" }, ADMIN);
    const b = await createChannel({ ...base, name: "b" }, ADMIN);
    await db.channel.update({ where: { id: a.id }, data: { usedQuota: 12_345n } });
    const day = new Date("2026-11-01T00:00:00Z");
    await db.usageTotalDaily.createMany({
      data: [
        { bucket: day, modelName: "gpt-4o", channelId: a.id, group: "default", requestCount: 3n },
        { bucket: day, modelName: "gpt-4o-mini", channelId: a.id, group: "vip", requestCount: 4n },
        { bucket: new Date("2026-11-02T00:00:00Z"), modelName: "gpt-4o", channelId: a.id, requestCount: 5n },
      ],
    });
    await recordChannelError(b.id, "HTTP 502");
    await recordChannelError(b.id, "HTTP 503"); // within 10 s of the first: not written
    const list = await listChannelsWithStats();
    const byName = Object.fromEntries(list.map((c) => [c.name, c]));
    expect(byName.a).toMatchObject({ usedQuota: "12345", requestCount: "12", lastError: "", lastErrorAt: null });
    expect(byName.b).toMatchObject({ requestCount: "0", lastError: "HTTP 502" });
    expect(byName.b.lastErrorAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(KEY);
  });
});

describe("the test button", () => {
  it("lists the upstream's models and sends a one-token chat, with latencies", async () => {
    const c = await createChannel({ ...base, baseUrl: `${mock.url}/v1`, modelMapping: '{"gpt-4o":"mock-4o"}' }, ADMIN);
    const r = await testChannel({ id: c.id, model: "gpt-4o" });
    expect(r).toMatchObject({ ok: true, models: 1 });
    expect(r.ok && r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.ok && r.chatLatencyMs).toBeGreaterThanOrEqual(0);
    expect(mock.requests.map((q) => [q.method, q.path, q.authorization])).toEqual([
      ["GET", "/v1/models", `Bearer ${KEY}`],
      ["POST", "/v1/chat/completions", `Bearer ${KEY}`],
    ]);
    expect(mock.requests[1].body).toMatchObject({ model: "mock-4o", max_tokens: 1 });
  });

  it("tests an Anthropic channel in its own dialect: x-api-key, anthropic-version, a one-token message", async () => {
    const ant = await MockDialects.start();
    try {
      ant.on("GET /v1/models", { json: { data: [{ type: "model", id: "claude-x" }], has_more: false } });
      ant.on("POST /v1/messages", {
        json: { type: "message", content: [], usage: { input_tokens: 1, output_tokens: 1 } },
      });
      const c = await createChannel({ ...base, baseUrl: ant.url, models: "claude-x", dialect: "anthropic" }, ADMIN);
      expect(await testChannel({ id: c.id, model: "claude-x" })).toMatchObject({ ok: true, models: 1 });
      expect(ant.requests.map((q) => [q.method, q.url, q.headers["x-api-key"], q.headers.authorization])).toEqual([
        ["GET", "/v1/models", KEY, undefined],
        ["POST", "/v1/messages", KEY, undefined],
      ]);
      expect(ant.requests[0].headers["anthropic-version"]).toBe("2023-06-01");
      expect(ant.requests[1].body).toMatchObject({ model: "claude-x", max_tokens: 1 });
    } finally {
      await ant.close();
    }
  });

  it("shows the upstream's error (the key never echoed) and keeps it as the last error", async () => {
    const c = await createChannel({ ...base, baseUrl: mock.url }, ADMIN);
    mock.set({ failNext: 1, failStatus: 401 });
    const r = await testChannel({ id: c.id });
    expect(r).toMatchObject({ ok: false, step: "models" });
    expect(!r.ok && r.error).toMatch(/^HTTP 401: Upstream exploded/);
    expect(!r.ok && r.error).toContain("on key sk-ups***");
    expect(!r.ok && r.error).not.toContain("SECRET");
    expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).lastError).toMatch(
      /^test \(models\): HTTP 401/,
    );
  });

  it("reports an unreachable upstream and a refused private address", async () => {
    const c = await createChannel(base, ADMIN); // nothing listens on port 9
    expect(await testChannel({ id: c.id })).toMatchObject({ ok: false, step: "models", error: "ECONNREFUSED" });
    await setOption("ChannelPrivateAddressesAllowed", "false");
    try {
      const r = await testChannel({ id: c.id });
      expect(r).toMatchObject({ ok: false, step: "models" });
      expect(!r.ok && r.error).toMatch(/loopback or private/);
    } finally {
      await setOption("ChannelPrivateAddressesAllowed", "true");
    }
  });
});
