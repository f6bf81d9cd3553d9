import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listAdminAudits } from "@/lib/audit/service";
import { truncateAll } from "@/tests/truncate";
import { TEST_DATABASE_URL } from "@/tests/test-db";
import { getOptions, resetOptionsCache, setOptions } from "./service";

// The settings page's saves: all or nothing, an audit row per changed option (before and after),
// errors of a JSON editor on the line at fault, unknown groups refused; and a save reaches
// another node at once (not after its 10 s reload).

const ADMIN = { id: 3, username: "olga" };
const ROOT = path.resolve(import.meta.dirname, "../..");

beforeEach(async () => {
  await truncateAll();
  resetOptionsCache();
});

const errorsOf = async (texts: Record<string, string>) => {
  try {
    await setOptions(texts, ADMIN);
  } catch (e) {
    return (e as { code: string; fieldErrors: Record<string, string[]> }).fieldErrors;
  }
  throw new Error("saved");
};

describe("setOptions", () => {
  it("stores the changed options with one audit row each, and skips unchanged ones", async () => {
    await setOptions(
      { QuotaForNewUser: "1000", ModelRatio: '{"gpt-4o": 1.25, "my-model": 2}', QuotaPerUnit: "500000" },
      ADMIN,
    );
    expect((await getOptions()).QuotaForNewUser).toBe(1000);
    expect((await getOptions()).ModelRatio).toEqual({ "gpt-4o": 1.25, "my-model": 2 });
    const rows = (await listAdminAudits({ targetType: "option" })).items.reverse();
    expect(rows.map((r) => [r.action, r.targetId, r.operator, r.operatorId])).toEqual([
      ["option.update", "QuotaForNewUser", "olga", 3],
      ["option.update", "ModelRatio", "olga", 3],
    ]);
    expect(rows[0]).toMatchObject({ before: { QuotaForNewUser: 0 }, after: { QuotaForNewUser: 1000 } });
    expect(rows[1].after).toEqual({ ModelRatio: { "gpt-4o": 1.25, "my-model": 2 } });
    expect((rows[1].before as { ModelRatio: Record<string, number> }).ModelRatio["gpt-4o"]).toBeDefined();
  });

  it("points a JSON syntax error at its line", async () => {
    const text = '{\n  "gpt-4o": 1.25,\n  "gpt-4o-mini": 0.075,\n}';
    expect(await errorsOf({ ModelRatio: text })).toEqual({ ModelRatio: [expect.stringMatching(/^Line 4: /)] });
  });

  it("points a negative ratio, a negative price and a nested bad value at their lines", async () => {
    expect(await errorsOf({ ModelRatio: '{\n  "a": 1,\n  "b": -2\n}' })).toEqual({
      ModelRatio: ["Line 3: b must be ≥ 0"],
    });
    expect(await errorsOf({ ModelPrice: '{\n  "dall-e-3": -0.04\n}' })).toEqual({
      ModelPrice: ["Line 2: dall-e-3 must be ≥ 0"],
    });
    const ggr = '{\n  "vip": {\n    "default": 0.9,\n    "svip": "cheap"\n  }\n}';
    expect((await errorsOf({ GroupGroupRatio: ggr })).GroupGroupRatio[0]).toMatch(/^Line 4: vip → svip /);
  });

  it("says each problem also in words of the dictionary, so the page shows it in the admin's language", async () => {
    const textsOf = async (texts: Record<string, string>) => {
      try {
        await setOptions(texts, ADMIN);
      } catch (e) {
        return (e as { fieldTexts: Record<string, unknown[]> }).fieldTexts;
      }
      throw new Error("saved");
    };
    expect(await textsOf({ ModelRatio: '{\n  "a": 1,\n  "b": -2\n}' })).toEqual({
      ModelRatio: [
        {
          key: "options.error.at",
          vars: { line: 3, name: "b", problem: { key: "options.error.min", vars: { min: "0" } } },
        },
      ],
    });
    expect(await textsOf({ ModelRatio: '{\n  "a": 1,\n}' })).toEqual({
      ModelRatio: [{ key: "options.error.json", vars: { line: 3, detail: expect.any(String) } }],
    });
    expect(await textsOf({ TopUpLink: "ftp://x.example" })).toEqual({ TopUpLink: [{ key: "options.error.http" }] });
    expect(await textsOf({ GroupGroupRatio: '{"vip": {"gold": 0.5}}' })).toEqual({
      GroupGroupRatio: [{ key: "options.error.unknownGroup", vars: { group: "gold" } }],
    });
    expect(await textsOf({ NoSuchOption: "1" })).toEqual({
      NoSuchOption: [{ key: "options.error.unknownOption", vars: { key: "NoSuchOption" } }],
    });
  });

  it("refuses unknown groups in GroupGroupRatio, and removing a group it still names", async () => {
    expect(await errorsOf({ GroupGroupRatio: '{"vip": {"gold": 0.5}}' })).toEqual({
      GroupGroupRatio: ['Unknown group "gold"'],
    });
    expect(await errorsOf({ GroupGroupRatio: '{"bronze": {"vip": 0.5}}' })).toEqual({
      GroupGroupRatio: ['Unknown group "bronze"'],
    });
    // saved together, the new group is known
    await setOptions(
      { GroupRatio: '{"default":1,"vip":1,"svip":1,"gold":0.8}', GroupGroupRatio: '{"vip":{"gold":0.5}}' },
      ADMIN,
    );
    expect(await errorsOf({ GroupRatio: '{"default":1,"vip":1}' })).toEqual({
      GroupRatio: ['Unknown group "gold" (in GroupGroupRatio)'],
    });
    // a usable group without a ratio is a retired group (its keys are refused), not a typo
    await setOptions({ UserUsableGroups: '{"default":"Default","old":"Retired"}' }, ADMIN);
  });

  it("saves nothing when one value of the section is bad", async () => {
    const before = await db.option.count();
    expect(
      Object.keys(await errorsOf({ QuotaForNewUser: "5", QuotaForInviter: "-1", PreConsumeMode: "sometimes" })),
    ).toEqual(["QuotaForInviter", "PreConsumeMode"]);
    expect(await db.option.count()).toBe(before);
    expect(await db.adminAudit.count()).toBe(0);
    expect(await errorsOf({ TopUpLink: "javascript:alert(1)" })).toHaveProperty("TopUpLink");
    expect(await errorsOf({ ServerAddress: "ftp://x.example" })).toHaveProperty("ServerAddress");
  });

  it("saves the alert e-mail sender as an address or Name <address>, and refuses anything else", async () => {
    expect(await errorsOf({ NotifyEmailFrom: "alerts@" })).toEqual({
      NotifyEmailFrom: ['must be an e-mail address or "Name <address>"'],
    });
    expect((await getOptions()).NotifyEmailFrom).toBe("");
    await setOptions({ NotifyEmailFrom: "Tollgate Alerts <alerts@example.com>" }, ADMIN);
    resetOptionsCache();
    expect((await getOptions()).NotifyEmailFrom).toBe("Tollgate Alerts <alerts@example.com>");
    await setOptions({ NotifyEmailFrom: "alerts@example.com" }, ADMIN);
    resetOptionsCache();
    expect((await getOptions()).NotifyEmailFrom).toBe("alerts@example.com");
  });
});

describe("a change on every node at once", () => {
  let child: ChildProcessWithoutNullStreams | null = null;
  afterAll(() => child?.kill());

  it("another node that cached the options sees a save at once, through Redis", async () => {
    const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
    const { closeBus } = await import("@/lib/cache/bus");
    const { resetEnvCache } = await import("@/lib/env");
    await closeBus();
    process.env.REDIS_URL = REDIS_URL;
    resetEnvCache();
    try {
      child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "tests/option-node.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL },
      });
      const lines = readline.createInterface({ input: child.stdout });
      const next = () => new Promise<string>((resolve) => lines.once("line", resolve));
      expect(await next()).toBe("ready");
      child.stdin.write("get QuotaForNewUser\n");
      expect(JSON.parse(await next())).toEqual({ key: "QuotaForNewUser", value: 0 });
      await new Promise((r) => setTimeout(r, 300)); // both buses subscribed
      const started = Date.now();
      await setOptions({ QuotaForNewUser: "4242" }, ADMIN);
      let seen: unknown = 0;
      while (seen !== 4242 && Date.now() - started < 3_000) {
        child.stdin.write("get QuotaForNewUser\n");
        seen = JSON.parse(await next()).value;
      }
      expect(seen).toBe(4242);
      // well inside the 10 s reload the node would otherwise wait for
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await closeBus();
      delete process.env.REDIS_URL;
      resetEnvCache();
    }
  });
});
