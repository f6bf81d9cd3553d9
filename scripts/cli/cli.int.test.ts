import { execFile } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetOptionsCache } from "@/lib/options/service";
import { verifyPassword } from "@/lib/users/password";
import { truncateAll } from "@/tests/truncate";

// The CLI as an operator runs it: a child process against the test database (tests/int-setup.ts
// points DATABASE_URL there), checked through its stdout, stderr, exit status and the rows it wrote.
const ROOT = path.resolve(import.meta.dirname, "../..");

type Run = { code: number; stdout: string; stderr: string };

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/cli.ts", ...args],
      { cwd: ROOT, env: { ...process.env, ...extraEnv }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("operator CLI", () => {
  beforeEach(truncateAll);

  it("user:create prints the user as JSON and credits the opening quota with a manage log", async () => {
    const r = await cli([
      "user:create",
      "--username",
      "dave",
      "--password",
      "dave-pass-1",
      "--group",
      "vip",
      "--quota",
      "1500000",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ username: "dave", role: 1, group: "vip", quota: "1500000" });

    const user = await db.user.findUniqueOrThrow({ where: { username: "dave" } });
    expect(user.id).toBe(out.id);
    expect(user.quota).toBe(1_500_000n);
    expect(await verifyPassword("dave-pass-1", user.passwordHash)).toBe(true);
    const logs = await db.log.findMany({ where: { userId: user.id } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 3, quota: 1_500_000n, operatorId: null });
    expect(logs[0].other).toMatchObject({ operator: "cli" });
  });

  it("refuses a taken username and a bad flag with one line on stderr and a non-zero status", async () => {
    await cli(["user:create", "--username", "erin", "--password", "erin-pass-1", "--role", "admin"]);
    const [taken, badQuota, unknownFlag] = await Promise.all([
      cli(["user:create", "--username", "erin", "--password", "other-pass-1", "--quota", "10"]),
      cli(["user:create", "--username", "frank", "--password", "frank-pass-1", "--quota", "-3"]),
      cli(["user:create", "--username", "gina", "--password", "gina-pass-1", "--quotaa", "3"]),
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stdout).toBe("");
    expect(taken.stderr.trim()).toBe("error: This username is already taken");
    expect(badQuota.code).toBe(2);
    expect(badQuota.stderr).toMatch(/^error: --quota: Amount cannot be negative\n/);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/unknown flag --quotaa/);

    const users = await db.user.findMany({ select: { username: true, role: true, quota: true } });
    expect(users).toEqual([{ username: "erin", role: 10, quota: 0n }]);
    expect(await db.log.count()).toBe(0);
  });

  it("option:set validates as the admin page does; option:get reads one or all", async () => {
    const [bad, unknown] = await Promise.all([
      cli(["option:set", "--key", "QuotaPerUnit", "--value", "-1"]),
      cli(["option:set", "--key", "NoSuchOption", "--value", "1"]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: QuotaPerUnit/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('error: Unknown option "NoSuchOption"');
    expect(await db.option.count()).toBe(0);

    const set = await cli(["option:set", "--key", "GroupRatio", "--value", '{"default":1,"vip":0.5}']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ key: "GroupRatio", value: { default: 1, vip: 0.5 } });

    const [one, all] = await Promise.all([cli(["option:get", "--key", "GroupRatio"]), cli(["option:get"])]);
    expect(JSON.parse(one.stdout)).toEqual({ key: "GroupRatio", value: { default: 1, vip: 0.5 } });
    const options = JSON.parse(all.stdout);
    expect(options.GroupRatio).toEqual({ default: 1, vip: 0.5 });
    expect(options.QuotaPerUnit).toBe(500000);
    resetOptionsCache();
  });

  it("root:ensure honours TOLLGATE_ROOT_USERNAME / TOLLGATE_ROOT_PASSWORD and prints no password", async () => {
    const env = { TOLLGATE_ROOT_USERNAME: "chief", TOLLGATE_ROOT_PASSWORD: "chief-pass-1" };
    const first = await cli(["root:ensure"], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: "created", username: "chief", role: 100 });
    expect(first.stdout).not.toMatch(/chief-pass-1|generatedPassword/);
    const again = await cli(["root:ensure"], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "exists", username: "chief" });
    expect(await db.user.count()).toBe(1);
  });

  it("logs:cleanup deletes the logs before the date and ledger:audit still passes", async () => {
    const made = await cli(["user:create", "--username", "erin", "--password", "erin-pass-1", "--quota", "700"]);
    expect(made.code).toBe(0);
    await db.$executeRaw`UPDATE logs SET created_at = now() - interval '40 days'`;
    const bad = await cli(["logs:cleanup", "--before", "last tuesday"]);
    expect(bad.code).toBe(2);
    const r = await cli(["logs:cleanup", "--before", new Date(Date.now() - 30 * 86_400_000).toISOString()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: "1", cleanup: { status: "done", deleted: "1", total: "1" } });
    expect(await db.log.count()).toBe(0);
    const audit = await cli(["ledger:audit"]);
    expect(audit.code).toBe(0);
  });

  it("lists the commands for help and for an unknown command", async () => {
    const [help, unknown] = await Promise.all([cli(["help"]), cli(["no:such"])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/user:create .*\n.*--username U --password P/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "no:such"\n[\s\S]*option:set/);
  });
});
