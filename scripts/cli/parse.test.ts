import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flag } from "./command";
import { parseFlags, UsageError } from "./parse";

describe("parseFlags", () => {
  it.each([
    [["--username", "ann", "--role", "admin"], { username: "ann", role: "admin" }],
    [["--value=--not-a-flag"], { value: "--not-a-flag" }],
    [["--value="], { value: "" }],
    [["--value", "-5"], { value: "-5" }],
    [["--dry-run", "--remain-quota", "7"], { dryRun: true, remainQuota: "7" }],
    [["--force"], { force: true }],
    [["--value", '{"a": 1}'], { value: '{"a": 1}' }],
  ])("%j", (args, expected) => {
    expect(parseFlags(args)).toEqual(expected);
  });

  it.each([
    [["ann"], /unexpected argument "ann"/],
    [["--key", "a", "b"], /unexpected argument "b"/],
    [["--key", "a", "--key", "b"], /--key given more than once/],
    [["--"], /unexpected argument "--"/],
    [["--9x"], /bad flag/],
  ])("refuses %j", (args, message) => {
    expect(() => parseFlags(args)).toThrow(UsageError);
    expect(() => parseFlags(args)).toThrow(message);
  });
});

describe("flag helpers", () => {
  it("boolean accepts a bare flag and true/false words", () => {
    const s = flag.boolean("force");
    expect(s.parse(true)).toBe(true);
    expect(s.parse("false")).toBe(false);
    expect(s.parse("yes")).toBe(true);
    expect(s.safeParse("maybe").success).toBe(false);
  });

  it("string and integer refuse a bare flag with the flag's name", () => {
    expect(flag.string("key").safeParse(true).error?.issues[0].message).toBe("--key needs a value");
    expect(flag.integer("n").safeParse("1.5").error?.issues[0].message).toBe("--n must be a whole number");
  });

  it("via keeps the domain schema's messages", () => {
    const s = flag.via("amount", z.coerce.number().int("whole numbers only"));
    expect(s.parse("12")).toBe(12);
    expect(s.safeParse("1.5").error?.issues[0].message).toBe("whole numbers only");
  });
});
