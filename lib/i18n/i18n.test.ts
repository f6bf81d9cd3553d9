import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZRegisterInput } from "@/lib/users/schemas";
import { en, zh } from "./messages";
import { errorMessage, format, issueMessage, pickLocale, t } from "./index";

describe("dictionaries", () => {
  it("zh has every key of en, and no empty text", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(en), ...Object.entries(zh)]) expect(text, key).not.toBe("");
  });

  it("both languages use the same placeholders for each key", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(names(zh[key]), key).toEqual(names(en[key]));
  });
});

describe("t / format", () => {
  it.each([
    ["en", "login.error.rateLimited", { minutes: 15 }, "Too many login attempts, try again in 15 minutes."],
    ["zh", "login.error.rateLimited", { minutes: 3 }, "登录尝试次数过多，请在 3 分钟后重试。"],
    ["en", "dashboard.welcome", { name: "alice" }, "Welcome back, alice"],
    ["zh", "nav.dashboard", undefined, "仪表盘"],
  ] as const)("%s %s", (locale, key, vars, expected) => {
    expect(t(locale, key, vars)).toBe(expected);
  });

  it("leaves unknown placeholders visible and fills repeated ones", () => {
    expect(format("{a} and {a} and {b}", { a: 1 })).toBe("1 and 1 and {b}");
  });
});

describe("pickLocale", () => {
  it.each([
    ["zh", "en-US", "zh"],
    ["en", "zh-CN", "en"],
    [undefined, "zh-CN,zh;q=0.9,en;q=0.8", "zh"],
    [undefined, "fr-FR,en;q=0.5,zh;q=0.9", "zh"],
    [undefined, "fr-FR,de;q=0.5", "en"],
    [undefined, "zh;q=0,en;q=0.1", "en"],
    ["klingon", "zh-TW", "zh"],
    [undefined, null, "en"],
    [undefined, "", "en"],
  ] as const)("cookie %s, Accept-Language %s -> %s", (cookie, header, expected) => {
    expect(pickLocale(cookie, header)).toBe(expected);
  });
});

describe("errorMessage", () => {
  it("translates known codes and keeps the server's message otherwise", () => {
    expect(errorMessage("zh", "username_taken", "This username is already taken")).toBe("该用户名已被占用。");
    expect(errorMessage("en", "username_taken", "x")).toBe("This username is already taken.");
    expect(errorMessage("zh", "some_new_code", "Server says no")).toBe("Server says no");
  });
});

describe("issueMessage", () => {
  const issuesOf = (input: unknown) => {
    const r = ZRegisterInput.safeParse(input);
    if (r.success) throw new Error("expected a validation failure");
    return r.error.issues;
  };

  it.each([
    ["en", { username: "ab", password: "longenough" }, "username", "Username must be at least 3 characters."],
    ["zh", { username: "ab", password: "longenough" }, "username", "用户名至少需要 3 个字符。"],
    ["en", { username: "alice", password: "short" }, "password", "Password must be at least 8 characters."],
    ["zh", { username: "alice", password: "x".repeat(65) }, "password", "密码最多 64 个字符。"],
    ["en", { username: "a".repeat(21), password: "longenough" }, "username", "Username must be at most 20 characters."],
    [
      "en",
      { username: "bad name!", password: "longenough" },
      "username",
      "Username may contain letters, digits, '_', '.' and '-' only.",
    ],
    ["en", { password: "longenough" }, "username", "Username is required."],
    ["zh", { username: 42, password: "longenough" }, "username", "用户名无效。"],
  ] as const)("%s %j -> %s", (locale, input, field, expected) => {
    const issue = issuesOf(input).find((i) => i.path[0] === field)!;
    expect(issueMessage(locale, issue)).toBe(expected);
  });

  it("calls an empty field required when the issue carries the input", () => {
    const r = ZRegisterInput.safeParse({ username: "", password: "longenough" }, { reportInput: true });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path[0] === "username")!;
    expect(issueMessage("en", issue)).toBe("Username is required.");
    expect(issueMessage("zh", issue)).toBe("请填写用户名。");
  });

  it("translates a custom issue whose message is a dictionary key", () => {
    const schema = z
      .object({ a: z.string() })
      .refine(() => false, { message: "error.password_mismatch", path: ["confirmPassword"] });
    const r = schema.safeParse({ a: "x" });
    expect(r.success).toBe(false);
    expect(issueMessage("zh", r.error!.issues[0])).toBe("两次输入的密码不一致。");
    expect(issueMessage("en", r.error!.issues[0])).toBe("The passwords do not match.");
  });
});

describe("issueMessage: numbers, unknown fields and texts with values", () => {
  it("words number bounds, forged fields and custom texts with params in both languages", () => {
    const schema = z.strictObject({
      count: z.number().max(100),
      name: z
        .string()
        .refine(() => false, { message: "Token name is too long", params: { i18n: "keys.error.nameTooLong" } }),
      ips: z
        .string()
        .superRefine((_v, ctx) =>
          ctx.addIssue({ code: "custom", message: "bad", params: { i18n: "keys.error.badIps", entries: "x, y" } }),
        ),
    });
    const r = schema.safeParse({ count: 101, name: "n", ips: "", user_id: 3 });
    expect(r.success).toBe(false);
    const by = (code: string) => r.error!.issues.find((i) => i.code === code || i.path[0] === code)!;
    expect(issueMessage("en", by("count"))).toBe("Number of keys must be at most 100.");
    expect(issueMessage("zh", by("unrecognized_keys"))).toBe("此表单不接受这些字段：user_id。");
    expect(issueMessage("zh", by("name"))).toBe("名称过长：最多 50 字节（一个汉字占 3 字节）。");
    expect(issueMessage("en", by("ips"))).toBe("Not an IP address or CIDR: x, y");
  });
});
