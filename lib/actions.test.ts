import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";

// The wrappers read the locale from the request and the user from the session: both are stubbed.
const state = vi.hoisted(() => ({
  locale: "en" as "en" | "zh",
  user: null as null | { id: number; username: string; displayName: string; role: number; group: string },
}));

vi.mock("@/lib/i18n/server", () => ({ getLocale: async () => state.locale }));
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

const { adminAction, authedAction, publicAction } = await import("./actions");

const ZInput = z.object({ username: z.string().min(3).max(20), amount: z.coerce.number().int().min(1) });
const alice = { id: 7, username: "alice", displayName: "alice", role: 1, group: "default" };

beforeEach(() => {
  state.locale = "en";
  state.user = alice;
});

describe("authedAction", () => {
  it("passes the parsed input and the user to the function and returns its data", async () => {
    const fn = vi.fn(async (input: z.output<typeof ZInput>, user: typeof alice) => ({ echoed: input, by: user.id }));
    const action = authedAction(ZInput, fn);
    expect(await action({ username: "bob", amount: 3 })).toEqual({
      ok: true,
      data: { echoed: { username: "bob", amount: 3 }, by: 7 },
    });
  });

  it("refuses a signed-out caller before parsing or calling anything", async () => {
    state.user = null;
    const fn = vi.fn();
    const result = await authedAction(ZInput, fn)({ username: "x", amount: 0 });
    expect(result).toEqual({ ok: false, error: { code: "unauthenticated", message: "Please sign in first." } });
    expect(fn).not.toHaveBeenCalled();
  });

  it("returns per-field messages in the user's language and does not call the function", async () => {
    const fn = vi.fn();
    state.locale = "zh";
    const zh = await authedAction(ZInput, fn)({ username: "", amount: 0 });
    expect(zh).toMatchObject({ ok: false, error: { code: "validation", message: "请修正标出的字段。" } });
    expect(!zh.ok && zh.error.fieldErrors).toEqual({ username: ["请填写用户名。"], amount: ["金额不能小于 1。"] });

    state.locale = "en";
    const en = await authedAction(ZInput, fn)({ username: "a".repeat(21), amount: 2 });
    expect(en).toEqual({
      ok: false,
      error: {
        code: "validation",
        message: "Username must be at most 20 characters.",
        fieldErrors: { username: ["Username must be at most 20 characters."] },
      },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it("accepts FormData", async () => {
    const form = new FormData();
    form.set("username", "carol");
    form.set("amount", "5");
    const result = await authedAction(ZInput, async (input) => input)(form);
    expect(result).toEqual({ ok: true, data: { username: "carol", amount: 5 } });
  });

  it("maps AppError to its code and (translated) message, and anything else to a generic error", async () => {
    const taken = authedAction(ZInput, async () => {
      throw new AppError("username_taken", "This username is already taken", 409, {
        username: ["This username is already taken"],
      });
    });
    state.locale = "zh";
    expect(await taken({ username: "bob", amount: 1 })).toEqual({
      ok: false,
      error: {
        code: "username_taken",
        message: "该用户名已被占用。",
        fieldErrors: { username: ["该用户名已被占用。"] },
      },
    });

    const other = authedAction(ZInput, async () => {
      throw new AppError("some_untranslated_code", "Not enough invitation credit", 409);
    });
    expect(await other({ username: "bob", amount: 1 })).toEqual({
      ok: false,
      error: { code: "some_untranslated_code", message: "Not enough invitation credit" },
    });

    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = authedAction(ZInput, async () => {
      throw new Error('relation "users" does not exist');
    });
    state.locale = "en";
    expect(await broken({ username: "bob", amount: 1 })).toEqual({
      ok: false,
      error: { code: "internal_error", message: "Something went wrong. Please try again." },
    });
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe("field messages in words of the dictionary", () => {
  it("renders an AppError's field texts (nested ones first) in the user's language", async () => {
    const save = authedAction(ZInput, async () => {
      const e = new AppError("invalid_option", "ModelRatio: Line 3: b must be ≥ 0", 400, {
        ModelRatio: ["Line 3: b must be ≥ 0"],
      });
      e.fieldTexts = {
        ModelRatio: [
          {
            key: "options.error.at",
            vars: { line: 3, name: "b", problem: { key: "options.error.min", vars: { min: 0 } } },
          },
        ],
      };
      throw e;
    });
    state.locale = "zh";
    expect(await save({ username: "bob", amount: 1 })).toEqual({
      ok: false,
      error: {
        code: "invalid_option",
        message: "第 3 行：b 必须 ≥ 0",
        fieldErrors: { ModelRatio: ["第 3 行：b 必须 ≥ 0"] },
      },
    });
    state.locale = "en";
    expect(await save({ username: "bob", amount: 1 })).toMatchObject({
      error: { message: "Line 3: b must be ≥ 0", fieldErrors: { ModelRatio: ["Line 3: b must be ≥ 0"] } },
    });
  });
});

describe("adminAction / publicAction", () => {
  it("adminAction refuses role 1 and admits role 10", async () => {
    const action = adminAction(ZInput, async (_input, user) => user.username);
    expect(await action({ username: "bob", amount: 1 })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    state.user = { ...alice, role: 10 };
    expect(await action({ username: "bob", amount: 1 })).toEqual({ ok: true, data: "alice" });
  });

  it("publicAction needs no session", async () => {
    state.user = null;
    expect(await publicAction(ZInput, async (i) => i.username)({ username: "dave", amount: 1 })).toEqual({
      ok: true,
      data: "dave",
    });
  });
});
