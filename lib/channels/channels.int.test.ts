import { execFile } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { truncateAll } from "@/tests/truncate";
import { getRoutingSnapshot, resetRouting, routesFor } from "./routing";
import { createChannel, deleteChannels, setChannelStatus, updateChannel } from "./service";
import { listChannels } from "./queries";

const ROOT = path.resolve(import.meta.dirname, "../..");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", ...args], { cwd: ROOT, env: process.env, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

const base = { name: "c", baseUrl: "http://127.0.0.1:9/v1", key: "sk-upstream-0123456789-secret", models: "gpt-4o, gpt-4o-mini" };

describe("channels", () => {
  beforeEach(async () => {
    await truncateAll();
    resetRouting();
  });

  it("stores a channel and never shows its key back in full", async () => {
    const c = await createChannel({ ...base, groups: ["default", "vip"], priority: 5, weight: 3, modelMapping: '{"gpt-4o":"gpt-4o-2024-08-06"}' });
    expect(c).toMatchObject({ baseUrl: "http://127.0.0.1:9/v1", models: ["gpt-4o", "gpt-4o-mini"], groups: ["default", "vip"], priority: 5, weight: 3, maskedKey: "sk-u**********cret" });
    expect(JSON.stringify(c)).not.toContain("0123456789");
    expect(JSON.stringify(await listChannels())).not.toContain("0123456789");
    expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).key).toBe(base.key);
  });

  it.each([
    [{ baseUrl: "ftp://x" }, "baseUrl"],
    [{ baseUrl: "not a url" }, "baseUrl"],
    [{ models: " , " }, "models"],
    [{ weight: -1 }, "weight"],
    [{ modelMapping: "[1]" }, "modelMapping"],
    [{ modelMapping: '{"a": 5}' }, "modelMapping"],
    [{ key: "" }, "key"],
  ])("refuses %j", async (bad, field) => {
    await expect(createChannel({ ...base, ...bad } as never)).rejects.toMatchObject({ code: "validation", fieldErrors: { [field]: expect.any(Array) } });
    expect(await db.channel.count()).toBe(0);
  });

  it("routing sees every write at once (cache bus), and only enabled channels", async () => {
    const c = await createChannel(base);
    expect((await routesFor("default", "gpt-4o")).tiers[0].channels.map((x) => x.id)).toEqual([c.id]);
    await updateChannel({ id: c.id, models: ["gpt-5"] });
    expect((await routesFor("default", "gpt-4o")).tiers).toEqual([]);
    expect((await getRoutingSnapshot()).modelsByGroup.get("default")).toEqual(new Set(["gpt-5"]));
    await setChannelStatus({ id: c.id, status: 2 });
    expect((await routesFor("default", "gpt-5")).tiers).toEqual([]);
    await setChannelStatus({ id: c.id, status: 1 });
    // an update without a key keeps the stored one
    await updateChannel({ id: c.id, key: "" });
    expect((await routesFor("default", "gpt-5")).tiers[0].channels[0].key).toBe(base.key);
    await deleteChannels({ ids: [c.id] });
    expect((await routesFor("default", "gpt-5")).tiers).toEqual([]);
    await expect(updateChannel({ id: c.id, name: "x" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("a channel written behind the cache's back (SQL) is found by the next request that needs it", async () => {
    await createChannel(base);
    await routesFor("default", "gpt-4o"); // a fresh snapshot
    await db.$executeRaw`INSERT INTO channels (name, base_url, key, models, groups, updated_at)
      VALUES ('sql', 'http://127.0.0.1:9', 'k', ARRAY['late-model'], ARRAY['default'], now())`;
    const t0 = Date.now();
    expect((await routesFor("default", "late-model")).tiers).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(1000);
    // an unknown model waits for the reload gap instead of hammering the database
    const t1 = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => routesFor("default", "no-such-model")));
    expect(Date.now() - t1).toBeLessThan(1500);
  });

  it("channel:create from the command line", async () => {
    const r = await cli(["channel:create", "--name", "cli", "--base-url", "http://127.0.0.1:9", "--key", "sk-cli-key-abcdefgh", "--models", "a,b",
      "--groups", "default,vip", "--priority", "2", "--weight", "7", "--model-mapping", '{"a":"a-1"}']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: "cli", models: ["a", "b"], groups: ["default", "vip"], priority: 2, weight: 7, modelMapping: { a: "a-1" }, maskedKey: "sk-c**********efgh" });
    expect(r.stdout).not.toContain("sk-cli-key-abcdefgh");
    const bad = await cli(["channel:create", "--name", "x", "--base-url", "http://a", "--key", "k", "--models", "a", "--weight", "heavy"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--weight must be a whole number");
    expect(await db.channel.count()).toBe(1);
  });
});
