import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { actionMinRole } from "@/lib/actions";
import { db } from "@/lib/db";
import { ROLE } from "@/lib/users/schemas";
import { makeKey, makeUser } from "@/tests/factories";
import { databaseChecksum } from "@/e2e/support/db-checksum";

// The authorization matrix of the server actions, generated from the code: every module that
// starts with "use server" (under lib/, app/ and components/) is imported, and every function it
// exports must have been built by lib/actions.ts (which attaches the least role it demands). Each
// one is then called with no session, with a disabled user's session and, when it demands more
// than a user, as a normal user: it must refuse before it reads its input (unauthenticated or
// forbidden, never a validation error) and the database must not change (a checksum of every
// table). The role rules between admins and roots are checked through the actions too.
//
// Only next-auth's session read is stubbed: the real getSessionUserOrThrow loads the user from
// the database, as on every request.

const session = vi.hoisted(() => ({ claims: null as null | { uid: number; av: number } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.claims,
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.50" }),
  cookies: async () => ({ get: () => undefined }),
}));
vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => "en" }));

/** the public actions, on purpose: anything else callable without a session fails this test */
const PUBLIC_ACTIONS = ["lib/users/actions.ts#registerAction"];

const ROOT_DIR = path.resolve(import.meta.dirname, "..");

function serverActionModules(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT_DIR, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const text = readFileSync(path.join(ROOT_DIR, rel), "utf8");
        if (/^(\s*\/\/[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*["']use server["']/.test(text)) out.push(rel);
      }
    }
  };
  for (const dir of ["lib", "app", "components"]) walk(dir);
  return out.sort();
}

type Action = {
  id: string;
  minRole: number;
  call: (input: unknown) => Promise<{ ok: boolean; error?: { code: string } }>;
};

async function discoverActions(): Promise<{ actions: Action[]; unwrapped: string[] }> {
  const actions: Action[] = [];
  const unwrapped: string[] = [];
  for (const file of serverActionModules()) {
    const mod = (await import(path.join(ROOT_DIR, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      const id = `${file}#${name}`;
      const minRole = actionMinRole(value);
      if (minRole === undefined) unwrapped.push(id);
      else actions.push({ id, minRole, call: value as Action["call"] });
    }
  }
  return { actions, unwrapped };
}

/** one hash of every row of every table */
const checksum = () => databaseChecksum((sql) => db.$queryRawUnsafe<Record<string, unknown>[]>(sql));

const signInAs = (user: { id: number }) => {
  session.claims = { uid: user.id, av: 1 };
};

let discovered: Awaited<ReturnType<typeof discoverActions>>;
let users: Record<"user" | "disabled" | "admin" | "root", { id: number; username: string }>;

beforeAll(async () => {
  discovered = await discoverActions();
  users = {
    user: await makeUser({ quota: 1_000n }),
    disabled: await makeUser({ quota: 1_000n }),
    admin: await makeUser({ role: "admin", quota: 1_000n }),
    root: await makeUser({ role: "root", quota: 1_000n }),
  };
  await db.user.update({ where: { id: users.disabled.id }, data: { status: 2 } });
  await makeKey(users.user.id);
});

describe("the server actions, found in the code", () => {
  it("are all built by lib/actions.ts, and only the intended ones are public", () => {
    expect(discovered.unwrapped).toEqual([]);
    expect(discovered.actions.filter((a) => a.minRole === 0).map((a) => a.id)).toEqual(PUBLIC_ACTIONS);
    // the admin console's actions are among them (the discovery works)
    const admin = discovered.actions.filter((a) => a.minRole >= ROLE.admin).map((a) => a.id);
    expect(admin).toEqual(
      expect.arrayContaining([
        "lib/users/actions.ts#updateUserAdminAction",
        "lib/users/actions.ts#adjustUserQuotaAdminAction",
        "lib/users/actions.ts#createUserAdminAction",
        "lib/audit/actions.ts#listAuditAction",
        "lib/overview/actions.ts#overviewAction",
      ]),
    );
  });

  it("refuse anyone without a session, and a disabled user, changing nothing", async () => {
    const before = await checksum();
    const guarded = discovered.actions.filter((a) => a.minRole > 0);
    expect(guarded.length).toBeGreaterThan(10);
    for (const claims of [null, { uid: users.disabled.id, av: 1 }, { uid: users.user.id, av: 99 }]) {
      session.claims = claims;
      for (const action of guarded) {
        const r = await action.call({});
        expect({ action: action.id, claims, result: r }).toMatchObject({
          result: { ok: false, error: { code: "unauthenticated" } },
        });
      }
    }
    expect(await checksum()).toBe(before);
  });

  it("refuse a normal user every admin action, changing nothing", async () => {
    const before = await checksum();
    signInAs(users.user);
    const adminOnly = discovered.actions.filter((a) => a.minRole >= ROLE.admin);
    expect(adminOnly.length).toBeGreaterThanOrEqual(10);
    for (const action of adminOnly) {
      // a well-formed input where one can be guessed: the refusal must come first anyway
      for (const input of [
        {},
        { id: users.root.id },
        { userId: users.root.id, mode: "set", amount: "0", reason: "x" },
      ]) {
        const r = await action.call(input);
        expect({ action: action.id, result: r }).toMatchObject({ result: { ok: false, error: { code: "forbidden" } } });
      }
    }
    expect(await checksum()).toBe(before);
  });
});

describe("the role rules, through the actions", () => {
  it("an admin is refused against a root (edit, disable, quota) and cannot promote anyone; nothing changes", async () => {
    const { adjustUserQuotaAdminAction, updateUserAdminAction, createUserAdminAction } =
      await import("@/lib/users/actions");
    const before = await checksum();
    signInAs(users.admin);
    const refusals = [
      await updateUserAdminAction({ id: users.root.id, remark: "pwned" }),
      await updateUserAdminAction({ id: users.root.id, status: "disabled" }),
      await updateUserAdminAction({ id: users.root.id, role: "user" }),
      await updateUserAdminAction({ id: users.admin.id, role: "root" }),
      await updateUserAdminAction({ id: users.user.id, role: "admin" }),
      await adjustUserQuotaAdminAction({ userId: users.root.id, mode: "set", amount: "0", reason: "x" }),
      await createUserAdminAction({ username: "sneaky", password: "password123", role: "admin" }),
    ];
    for (const r of refusals) expect(r).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await checksum()).toBe(before);
    // and the same admin may manage a normal user (the refusals above are the rules, not a broken action)
    const ok = await adjustUserQuotaAdminAction({ userId: users.user.id, mode: "add", amount: "1", reason: "ok" });
    expect(ok).toMatchObject({ ok: true });
    const audit = await db.adminAudit.findFirst({ where: { action: "user.quota_add" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ operatorId: users.admin.id, ip: "203.0.113.50", targetId: String(users.user.id) });
  });
});
