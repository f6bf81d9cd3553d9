import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { truncateAll } from "@/tests/truncate";
import { ensureRootAccount } from "./bootstrap";
import { verifyPassword } from "./password";
import { ROLE } from "./schemas";
import { createUser } from "./service";

const roots = () => db.user.findMany({ where: { role: ROLE.root }, select: { id: true, username: true } });

describe("ensureRootAccount", () => {
  beforeEach(truncateAll);

  it("creates `root` with a generated password once, then leaves it alone", async () => {
    const first = await ensureRootAccount({});
    expect(first).toMatchObject({ status: "created", username: "root" });
    expect(first.generatedPassword).toMatch(/^[0-9A-Za-z]{20}$/);
    const row = await db.user.findUniqueOrThrow({ where: { id: first.userId } });
    expect(row.role).toBe(ROLE.root);
    expect(await verifyPassword(first.generatedPassword!, row.passwordHash)).toBe(true);

    const second = await ensureRootAccount({});
    expect(second).toEqual({ status: "exists", userId: first.userId, username: "root" });
    const after = await db.user.findUniqueOrThrow({ where: { id: first.userId } });
    expect(after.passwordHash).toBe(row.passwordHash);
    expect(await roots()).toHaveLength(1);
  });

  it("creates nothing while any root exists and no name is given", async () => {
    const admin = await createUser({ username: "boss", password: "boss-pass-1", role: "root" });
    expect(await ensureRootAccount({})).toEqual({ status: "exists", userId: admin.id, username: "boss" });
    expect(await db.user.count()).toBe(1);
  });

  it("creates the named account with the given password, and never returns it", async () => {
    const r = await ensureRootAccount({ username: "operator", password: "operator-pass-1" });
    expect(r).toEqual({ status: "created", userId: expect.any(Number), username: "operator" });
    const row = await db.user.findUniqueOrThrow({ where: { username: "operator" } });
    expect(row.role).toBe(ROLE.root);
    expect(await verifyPassword("operator-pass-1", row.passwordHash)).toBe(true);
    // a different password on a later start does not reset it
    expect(await ensureRootAccount({ username: "operator", password: "changed-pass-2" })).toMatchObject({
      status: "exists",
    });
    const after = await db.user.findUniqueOrThrow({ where: { username: "operator" } });
    expect(after.passwordHash).toBe(row.passwordHash);
  });

  it("promotes an existing user only when the password proves it is the operator's", async () => {
    const u = await createUser({ username: "ops", password: "ops-pass-123" });
    await expect(ensureRootAccount({ username: "ops", password: "wrong-pass-1" })).rejects.toMatchObject({
      code: "root_account_conflict",
    });
    await expect(ensureRootAccount({ username: "ops" })).rejects.toMatchObject({ code: "root_account_conflict" });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).role).toBe(ROLE.user);

    expect(await ensureRootAccount({ username: "ops", password: "ops-pass-123" })).toEqual({
      status: "promoted",
      userId: u.id,
      username: "ops",
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).role).toBe(ROLE.root);
    const logs = await db.log.findMany({ where: { userId: u.id } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 3, quota: 0n });
  });

  it("rejects a password the account rules refuse, naming the variable", async () => {
    await expect(ensureRootAccount({ username: "operator", password: "short" })).rejects.toThrow(
      /TOLLGATE_ROOT_PASSWORD/,
    );
    expect(await db.user.count()).toBe(0);
  });

  it("makes one root when several nodes start at once", async () => {
    const results = await Promise.all([ensureRootAccount({}), ensureRootAccount({}), ensureRootAccount({})]);
    expect(await roots()).toHaveLength(1);
    expect(results.filter((r) => r.status === "created")).toHaveLength(1);
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
  });
});
