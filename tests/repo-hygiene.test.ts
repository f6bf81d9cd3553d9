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

// Next gives these names a meaning in route files, pages and layouts: every one of those exports them.
const NEXT_CONVENTIONS = new Set([
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "dynamic",
  "runtime",
  "metadata",
  "generateMetadata",
  "config",
  "revalidate",
  "maxDuration",
]);
const EXPORT =
  /^export\s+(?:declare\s+)?(?:async\s+)?(function\*?|const|let|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/gm;

describe("exported names", () => {
  it("no two modules export a function, constant, class or type of the same name", () => {
    const code = tracked.filter(
      (f) => /^(lib|components|app|scripts)\//.test(f) && /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f),
    );
    const owners = new Map<string, Set<string>>();
    for (const f of code) {
      for (const [, , name] of read(f).matchAll(EXPORT)) {
        if (NEXT_CONVENTIONS.has(name)) continue;
        owners.set(name, (owners.get(name) ?? new Set()).add(f)); // overloads repeat in one file
      }
    }
    const duplicates = [...owners]
      .filter(([, files]) => files.size > 1)
      .map(([name, files]) => `${name}: ${[...files].join(", ")}`);
    expect(duplicates).toEqual([]);
  });
});
