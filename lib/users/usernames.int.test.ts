import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { truncateAll } from "@/tests/truncate";
import { ensureRootAccount } from "./bootstrap";
import { createUser, getUserByUsernameIgnoreCase, registerUser } from "./service";

const PASSWORD = "a-good-password";

describe("usernames are unique ignoring case", () => {
  beforeEach(truncateAll);

  it("refuses a name that differs only in case, with username_taken", async () => {
    await registerUser({ username: "Alice", password: PASSWORD });
    for (const name of ["alice", "ALICE", "aLiCe"]) {
      await expect(registerUser({ username: name, password: PASSWORD })).rejects.toMatchObject({
        code: "username_taken",
        status: 409,
        fieldErrors: { username: expect.any(Array) },
      });
    }
    await createUser({ username: "root", password: PASSWORD, role: "root" });
    await expect(createUser({ username: "ROOT", password: PASSWORD })).rejects.toMatchObject({
      code: "username_taken",
    });
    expect(await db.user.count()).toBe(2);
    expect(await getUserByUsernameIgnoreCase("ALICE")).toMatchObject({ username: "Alice" });
    expect(await getUserByUsernameIgnoreCase("al_ce")).toBeNull(); // not a pattern
  });

  it("the database refuses the second spelling even when writes race past the service's check", async () => {
    const spellings = ["bob", "BOB", "Bob", "bOb", "boB", "BoB"];
    const results = await Promise.allSettled(
      spellings.map((username) => registerUser({ username, password: PASSWORD })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "username_taken" });
    }
    expect(await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users WHERE lower(username) = 'bob'`).toEqual([
      { n: 1n },
    ]);
    // and behind the services' back
    await expect(
      db.$executeRaw`INSERT INTO users (username, password_hash, aff_code) VALUES ('BOBBY', 'x', 'aff-1'), ('bobby', 'x', 'aff-2')`,
    ).rejects.toThrow(/users_username_lower_key|unique/i);
  });

  it("TOLLGATE_ROOT_USERNAME in another case names the existing account instead of looping or adding one", async () => {
    const root = await createUser({ username: "root", password: PASSWORD, role: "root" });
    expect(await ensureRootAccount({ username: "ROOT" })).toEqual({
      status: "exists",
      userId: root.id,
      username: "root",
    });
    const ops = await createUser({ username: "ops", password: PASSWORD });
    await expect(ensureRootAccount({ username: "OPS", password: "wrong-pass-1" })).rejects.toMatchObject({
      code: "root_account_conflict",
    });
    expect(await ensureRootAccount({ username: "OPS", password: PASSWORD })).toEqual({
      status: "promoted",
      userId: ops.id,
      username: "ops",
    });
    expect(await db.user.count()).toBe(2);
  });
});
