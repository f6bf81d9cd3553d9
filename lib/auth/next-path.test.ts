import { describe, expect, it } from "vitest";
import { DEFAULT_NEXT_PATH, safeNextPath } from "./next-path";

const ORIGIN = "https://tollgate.example";

describe("safeNextPath", () => {
  it.each([
    ["/keys", "/keys"],
    ["/logs?page=2#top", "/logs?page=2#top"],
    ["/", "/"],
    ["keys", "/keys"],
    [`${ORIGIN}/wallet`, "/wallet"],
    [`${ORIGIN}:443/wallet`, "/wallet"],
    ["  /keys  ", "/keys"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"], // an encoded slash stays a path on this site
    ["/%09/evil.example", "/%09/evil.example"],
    ["/a/../keys", "/keys"],
    ["https:evil.example", "/evil.example"], // same scheme, no "//": a relative path, as in a browser
  ])("keeps %j as %j", (next, expected) => {
    expect(safeNextPath(next, ORIGIN)).toBe(expected);
  });

  it.each([
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil",
    "//evil.example/keys",
    "/\\evil",
    "\\\\evil",
    "/\\/evil.example",
    "https://evil",
    "https://evil.example/keys",
    "http://tollgate.example/keys", // another scheme is another origin
    "https://tollgate.example:8443/keys",
    "https://tollgate.example@evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/.//evil.example",
    "/%2e%2e//evil.example",
    "/./\\evil.example",
    "",
    "/".repeat(3000),
  ])("refuses %j", (next) => {
    expect(safeNextPath(next, ORIGIN)).toBe(DEFAULT_NEXT_PATH);
  });

  it("refuses what is not a string, and uses the given fallback", () => {
    expect(safeNextPath(null, ORIGIN)).toBe(DEFAULT_NEXT_PATH);
    expect(safeNextPath(undefined, ORIGIN)).toBe(DEFAULT_NEXT_PATH);
    expect(safeNextPath(["/keys"] as unknown as string, ORIGIN)).toBe(DEFAULT_NEXT_PATH);
    expect(safeNextPath("//evil", ORIGIN, "/")).toBe("/");
    expect(safeNextPath("/keys", "not an origin")).toBe(DEFAULT_NEXT_PATH);
  });

  it("compares with the origin given, whatever its path", () => {
    expect(safeNextPath("http://127.0.0.1:3000/keys", "http://127.0.0.1:3000/api/auth")).toBe("/keys");
    expect(safeNextPath("http://localhost:3000/keys", "http://127.0.0.1:3000")).toBe(DEFAULT_NEXT_PATH);
  });
});
