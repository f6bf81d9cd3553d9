import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Rules about the repository itself that no linter checks, read from its files (tracked, and new
// ones git does not ignore).

const ROOT = path.resolve(import.meta.dirname, "..");
const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\0")
  .filter((f) => f && !f.startsWith("node_modules/"));
const read = (f: string) => readFileSync(path.join(ROOT, f), "utf8");

describe("the repository", () => {
  it("points to no section of a document that someone who clones it cannot open", () => {
    // built from parts so that this file does not match itself
    const section = "\u00a7";
    const pointer = new RegExp(`\\b(SPEC|reference)\\s*${section}`);
    const text = tracked.filter((f) => /\.(ts|tsx|mts|mjs|cjs|js|md|sql|prisma|json|sh)$/.test(f));
    const offenders = text.filter((f) => pointer.test(read(f)));
    expect(offenders).toEqual([]);
  });
});
