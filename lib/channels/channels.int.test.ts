import { execFile } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setHostLookup } from "@/lib/net/resolve";
import { setOption } from "@/lib/options/service";
import { truncateAll } from "@/tests/truncate";
import { getRoutingSnapshot, resetRouting, routesFor } from "./routing";
import { createChannel, deleteChannels, setChannelStatus, updateChannel } from "./service";
import { listChannels } from "./queries";

const ROOT = path.resolve(import.meta.dirname, "../..");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", ...args],
      { cwd: ROOT, env: process.env, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const base = {
  name: "c",
  baseUrl: "http://127.0.0.1:9/v1",
  key: "sk-upstream-0123456789-secret",
  models: "gpt-4o, gpt-4o-mini",
};

describe("channels", () => {
  beforeEach(async () => {
    await truncateAll();
    resetRouting();
  });

  it("stores a channel and never shows its key back in full", async () => {
    const c = await createChannel({
      ...base,
      groups: ["default", "vip"],
      priority: 5,
      weight: 3,
      modelMapping: '{"gpt-4o":"gpt-4o-2024-08-06"}',
    });
    expect(c).toMatchObject({
      baseUrl: "http://127.0.0.1:9/v1",
      models: ["gpt-4o", "gpt-4o-mini"],
      groups: ["default", "vip"],
      priority: 5,
      weight: 3,
      maskedKey: "sk-u**********cret",
    });
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
    [{ baseUrl: "http://user:pass@127.0.0.1:9/v1" }, "baseUrl"],
    [{ baseUrl: "https://admin@api.example.com" }, "baseUrl"],
    [{ baseUrl: "http://:secret@127.0.0.1:9" }, "baseUrl"],
    [{ baseUrl: "http://127.0.0.1:9/v1?api-version=1" }, "baseUrl"],
    [{ baseUrl: "http://127.0.0.1:9/#x" }, "baseUrl"],
    [{ baseUrl: "javascript:alert(1)" }, "baseUrl"],
    [{ baseUrl: "file:///etc/passwd" }, "baseUrl"],
    [{ baseUrl: "http://[fe80::1%eth0]/" }, "baseUrl"],
  ])("refuses %j", async (bad, field) => {
    await expect(createChannel({ ...base, ...bad } as never)).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { [field]: expect.any(Array) },
    });
    expect(await db.channel.count()).toBe(0);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data",
    "http://169.254.169.254.:80/v1",
    "http://2852039166/v1",
    "http://0xa9fea9fe/v1",
    "http://0xA9.0xFE.0xA9.0xFE/v1",
    "http://0251.0376.0251.0376/v1",
    "http://169.254.43518/v1",
    "http://[::ffff:169.254.169.254]/v1",
    "http://[::ffff:a9fe:a9fe]/v1",
    "http://[64:ff9b::a9fe:a9fe]/v1",
    "http://[fd00:ec2::254]/v1",
    "http://169.254.1.1:8080/v1",
    "http://[fe80::1]/v1",
    "http://[FE80::abcd]:8000/v1",
    "http://0.0.0.0:8080/v1",
    "http://[::]:8080/v1",
  ])("refuses a channel that leads to link-local or metadata: %s", async (baseUrl) => {
    await expect(createChannel({ ...base, baseUrl })).rejects.toMatchObject({
      code: "channel_address_forbidden",
      status: 400,
      fieldErrors: { baseUrl: [expect.stringMatching(/may not point there/)] },
    });
    expect(await db.channel.count()).toBe(0);
  });

  it("allows loopback and private upstreams by default, refuses them when the option is off", async () => {
    for (const baseUrl of [
      "http://127.0.0.1:9/v1",
      "http://localhost:9/v1",
      "http://[::1]:9",
      "http://10.0.0.5:8000",
      "http://192.168.1.20:11434",
    ]) {
      await expect(createChannel({ ...base, baseUrl })).resolves.toMatchObject({ baseUrl });
    }
    await setOption("ChannelPrivateAddressesAllowed", "false");
    for (const baseUrl of [
      "http://127.0.0.1:9/v1",
      "http://localhost:9/v1",
      "http://2130706433:9",
      "http://[::1]:9",
      "http://10.0.0.5:8000",
      "http://[fd12::1]:80",
    ]) {
      await expect(createChannel({ ...base, baseUrl })).rejects.toMatchObject({
        code: "channel_address_forbidden",
        fieldErrors: { baseUrl: [expect.stringMatching(/ChannelPrivateAddressesAllowed/)] },
      });
    }
    // a public literal needs no DNS and is fine
    await expect(createChannel({ ...base, baseUrl: "https://8.8.8.8/v1" })).resolves.toMatchObject({
      baseUrl: "https://8.8.8.8/v1",
    });
    expect(await db.channel.count()).toBe(6);
  });

  describe("a name is judged by the addresses it resolves to", () => {
    // the resolver the channel check uses, replaced: names that DNS would map to these addresses
    const answers: Record<string, string[]> = {
      "metadata.example.test": ["169.254.169.254"],
      "linklocal.example.test": ["fe80::1"],
      "ec2-v6.example.test": ["fd00:ec2::254"],
      "mapped.example.test": ["::ffff:169.254.169.254"],
      "mixed.example.test": ["93.184.216.34", "169.254.169.254"],
      "private.example.test": ["10.0.0.5"],
      "public.example.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    };
    const asked: string[] = [];
    beforeEach(() => {
      asked.length = 0;
      setHostLookup(async (host) => {
        asked.push(host);
        const list = answers[host];
        if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
        return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
      });
    });
    afterEach(() => setHostLookup());

    it.each(["metadata", "linklocal", "ec2-v6", "mapped", "mixed"])(
      "refuses %s.example.test, which resolves to a link-local or metadata address",
      async (name) => {
        const host = `${name}.example.test`;
        await expect(createChannel({ ...base, baseUrl: `https://${host}/v1` })).rejects.toMatchObject({
          code: "channel_address_forbidden",
          status: 400,
          fieldErrors: { baseUrl: [expect.stringContaining(`${host} resolves to`)] },
        });
        expect(asked).toContain(host);
        expect(await db.channel.count()).toBe(0);
      },
    );

    it("accepts a name with only allowed addresses, and refuses a move to a bad one", async () => {
      const c = await createChannel({ ...base, baseUrl: "https://public.example.test/v1" });
      await expect(createChannel({ ...base, baseUrl: "http://private.example.test:8000" })).resolves.toBeDefined();
      await expect(updateChannel({ id: c.id, baseUrl: "https://metadata.example.test/v1" })).rejects.toMatchObject({
        code: "channel_address_forbidden",
      });
      expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).baseUrl).toBe(
        "https://public.example.test/v1",
      );
      await setOption("ChannelPrivateAddressesAllowed", "false");
      await expect(createChannel({ ...base, baseUrl: "http://private.example.test:8000" })).rejects.toMatchObject({
        code: "channel_address_forbidden",
      });
      expect(await db.channel.count()).toBe(2);
    });
  });

  it("refuses a host that does not resolve, and an update to a forbidden address changes nothing", async () => {
    await expect(createChannel({ ...base, baseUrl: "http://no-such-host.invalid/v1" })).rejects.toMatchObject({
      code: "channel_host_unresolvable",
    });
    const c = await createChannel(base);
    await expect(updateChannel({ id: c.id, baseUrl: "http://[::ffff:169.254.169.254]/" })).rejects.toMatchObject({
      code: "channel_address_forbidden",
    });
    await expect(updateChannel({ id: c.id, baseUrl: "http://u:p@127.0.0.1:9" })).rejects.toMatchObject({
      code: "validation",
    });
    expect((await db.channel.findUniqueOrThrow({ where: { id: c.id } })).baseUrl).toBe(base.baseUrl);
    // an update that leaves the URL alone is not re-checked
    await setOption("ChannelPrivateAddressesAllowed", "false");
    await expect(updateChannel({ id: c.id, name: "renamed" })).resolves.toMatchObject({ name: "renamed" });
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
    const r = await cli([
      "channel:create",
      "--name",
      "cli",
      "--base-url",
      "http://127.0.0.1:9",
      "--key",
      "sk-cli-key-abcdefgh",
      "--models",
      "a,b",
      "--groups",
      "default,vip",
      "--priority",
      "2",
      "--weight",
      "7",
      "--model-mapping",
      '{"a":"a-1"}',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      name: "cli",
      models: ["a", "b"],
      groups: ["default", "vip"],
      priority: 2,
      weight: 7,
      modelMapping: { a: "a-1" },
      maskedKey: "sk-c**********efgh",
    });
    expect(r.stdout).not.toContain("sk-cli-key-abcdefgh");
    const bad = await cli([
      "channel:create",
      "--name",
      "x",
      "--base-url",
      "http://a",
      "--key",
      "k",
      "--models",
      "a",
      "--weight",
      "heavy",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--weight must be a whole number");
    const metadata = await cli([
      "channel:create",
      "--name",
      "m",
      "--base-url",
      "http://2852039166/",
      "--key",
      "k",
      "--models",
      "a",
    ]);
    expect(metadata.code).toBe(1);
    expect(metadata.stderr).toContain("169.254.169.254");
    expect(await db.channel.count()).toBe(1);
    expect(out.dialect).toBe("openai");
  });

  it("a channel's dialect: set by the CLI and the service, validated, and routed on", async () => {
    const r = await cli([
      "channel:create",
      "--name",
      "claude",
      "--base-url",
      "http://127.0.0.1:9",
      "--key",
      "sk-ant-key-abcdefgh",
      "--models",
      "claude-x",
      "--dialect",
      "anthropic",
    ]);
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout);
    expect(created.dialect).toBe("anthropic");
    const bad = await cli([
      "channel:create",
      "--name",
      "x",
      "--base-url",
      "http://a",
      "--key",
      "k",
      "--models",
      "a",
      "--dialect",
      "gemini",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Dialect must be openai or anthropic");
    expect((await routesFor("default", "claude-x", "anthropic")).tiers[0].channels[0].id).toBe(created.id);
    expect((await routesFor("default", "claude-x")).tiers).toEqual([]);
    // switched to OpenAI: the messages route loses it, the OpenAI routes gain it
    await updateChannel({ id: created.id, dialect: "openai" });
    expect((await routesFor("default", "claude-x", "anthropic")).tiers).toEqual([]);
    expect((await routesFor("default", "claude-x", "openai")).tiers[0].channels[0].id).toBe(created.id);
    const trail = await db.adminAudit.findFirstOrThrow({ where: { action: "channel.update" } });
    expect(trail.before).toMatchObject({ dialect: "anthropic" });
    expect(trail.after).toMatchObject({ dialect: "openai" });
  });
});
