import { describe, expect, it } from "vitest";
import { keyLines, lineOfPath, parseJsonWithLine } from "./json-lines";

describe("parseJsonWithLine", () => {
  it.each([
    ['{\n  "a": 1,\n  "b": 2,\n}', 4],
    ['{\n  "a": 1\n  "b": 2\n}', 3],
    ['{\n  "a": 1,\n  "b": tru\n}', 3],
    ['{\n  "a": 1,\n', 3],
  ])("puts the error of %j on line %i", (text, line) => {
    const r = parseJsonWithLine(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.line).toBe(line);
  });

  it("parses good JSON", () => {
    expect(parseJsonWithLine('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});

describe("keyLines", () => {
  const text =
    '{\n  "gpt-4o": 1.25,\n  "a\\"b": 2,\n  "vip": {\n    "default": 0.9,\n    "svip": -1\n  },\n  "x": [1, {"y": 2}]\n}';
  const lines = keyLines(text);
  it.each([
    [["gpt-4o"], 2],
    [['a"b'], 3],
    [["vip"], 4],
    [["vip", "default"], 5],
    [["vip", "svip"], 6],
    [["x", 1, "y"], 8],
    [["nope"], 1],
    [["vip", "nope"], 4],
  ])("path %j is on line %i", (path, line) => {
    expect(lineOfPath(lines, path)).toBe(line);
  });
});
