import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { pgPool } from "@/lib/db";
import { ROLE } from "@/lib/users/schemas";
import { makeKey, makeUser } from "@/tests/factories";

// Bad input to the log pages as the browser sends it: through the server actions (a user's and the
// admin's) and GET /api/logs/export. Each answers a clear validation error naming the field, never
// a 500 and never a query that PostgreSQL refuses. The session and the language are the only stubs.
const state = vi.hoisted(() => ({
  user: null as null | { id: number; username: string; displayName: string; role: number; group: string },
}));
vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => "en" }));
vi.mock("@/lib/auth", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    getSessionUserOrThrow: async (minRole = 1) => {
      if (!state.user) throw new AppError("unauthenticated", "Please sign in first", 401);
      if (state.user.role < minRole) throw new AppError("forbidden", "You do not have permission to do this", 403);
      return state.user;
    },
  };
});

const { adminLogStatsAction, adminLogsAction, myLogStatsAction, myLogsAction } = await import("./actions");
const exportRoute = await import("@/app/api/logs/export/route");

const H = 3_600_000;
const T = Math.floor(Date.now() / H) * H;
let userId: number;
let username: string;

beforeAll(async () => {
  const u = await makeUser();
  const k = await makeKey(u.id, { name: "bad-input-key" });
  userId = u.id;
  username = u.username;
  await pgPool().query(
    `INSERT INTO logs (user_id, type, username, token_name, token_id, model_name, quota, created_at)
     VALUES ($1, 2, $2, 'bad-input-key', $3, 'gpt-4o', 10, now() - interval '1 minute')`,
    [u.id, u.username, k.id],
  );
});

beforeEach(() => {
  state.user = { id: userId, username, displayName: username, role: ROLE.user, group: "default" };
});

const asAdmin = () => {
  state.user = { id: userId, username, displayName: username, role: ROLE.admin, group: "default" };
};

/** [what, page input, the field the error names] */
const BAD: [string, Record<string, unknown>, string][] = [
  ["inverted range", { filters: { from: T, to: T - H } }, "filters.to"],
  ["range before 2000", { filters: { from: -1e20 } }, "filters.from"],
  ["range after 2100", { filters: { to: 1e30 } }, "filters.to"],
  ["a time that is not a number", { filters: { from: "yesterday" } }, "filters.from"],
  ["page size beyond the cap", { filters: {}, pageSize: 1000 }, "pageSize"],
  ["page size zero", { filters: {}, pageSize: 0 }, "pageSize"],
  ["unknown type", { filters: { type: 42 } }, "filters.type"],
  ["unknown filter", { filters: { colour: "red" } }, "filters"],
  ["unknown field", { filters: {}, sort: "quota" }, "_"],
  ["10 kB request id", { filters: { requestId: "x".repeat(10_240) } }, "filters.requestId"],
  ["cursor id beyond bigint", { filters: {}, after: "1.9999999999999999999" }, "after"],
  ["cursor of 30 digits", { filters: {}, after: "1.123456789012345678901234567890" }, "after"],
  ["cursor time beyond 2100", { filters: {}, before: "999999999999999.1" }, "before"],
  ["cursor that is not one", { filters: {}, before: "1; DROP TABLE logs" }, "before"],
];

describe("the log page actions refuse bad input with a field error", () => {
  it("a user's page", async () => {
    expect(await myLogsAction({ filters: {} })).toMatchObject({ ok: true, data: { total: 1 } });
    for (const [what, input, field] of BAD) {
      const r = await myLogsAction(input as never);
      expect(r.ok, what).toBe(false);
      if (r.ok) continue;
      expect(r.error.code, what).toBe("validation");
      expect(
        Object.keys(r.error.fieldErrors ?? {}).some((k) => k.startsWith(field)),
        what,
      ).toBe(true);
    }
  });

  it("the admin's page, and the admin's filters sent by a user", async () => {
    expect(await myLogsAction({ filters: { username: "x" } } as never)).toMatchObject({
      ok: false,
      error: { code: "validation" },
    });
    asAdmin();
    expect(await adminLogsAction({ filters: { username } })).toMatchObject({ ok: true, data: { total: 1 } });
    for (const [what, input, field] of [
      ...BAD,
      ["channel beyond int", { filters: { channel: 2 ** 31 } }, "filters.channel"],
      ["username of 1 kB", { filters: { username: "u".repeat(1024) } }, "filters.username"],
    ] as typeof BAD) {
      const r = await adminLogsAction(input as never);
      expect(r.ok, what).toBe(false);
      if (r.ok) continue;
      expect(r.error.code, what).toBe("validation");
      expect(
        Object.keys(r.error.fieldErrors ?? {}).some((k) => k.startsWith(field)),
        what,
      ).toBe(true);
    }
  });

  it("the stats", async () => {
    for (const filters of [{ from: T, to: T - H }, { type: 42 }, { colour: 1 }, { requestId: "x".repeat(10_240) }]) {
      expect(await myLogStatsAction({ filters } as never)).toMatchObject({ ok: false, error: { code: "validation" } });
      asAdmin();
      expect(await adminLogStatsAction({ filters } as never)).toMatchObject({
        ok: false,
        error: { code: "validation" },
      });
      state.user!.role = ROLE.user;
    }
  });
});

describe("GET /api/logs/export refuses bad input with a 400", () => {
  const get = (query: string) => exportRoute.GET(new Request(`http://tollgate.test/api/logs/export?${query}`));

  it("for a user and for the admin", async () => {
    const ok = await get("");
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    for (const scope of ["", "scope=admin&"]) {
      if (scope) asAdmin();
      for (const query of [
        `from=${T}&to=${T - H}`,
        "from=-100000000000000000000",
        "to=1e30",
        "type=42",
        "colour=red",
        "pageSize=1000",
        "after=1.9999999999999999999",
        `requestId=${"x".repeat(10_240)}`,
        "tz=Mars%2FOlympus",
      ]) {
        const res = await get(scope + query);
        expect(res.status, query).toBe(400);
        expect(await res.json(), query).toMatchObject({ success: false, code: "validation" });
      }
    }
  });
});
