import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The billing, settlement and relay cores must run outside Next (SPEC §13): a Web Request in, a
// Web Response out, mountable on a plain Node server. Nothing under these folders may import next.
const CORES = ["lib/quota", "lib/settlement", "lib/relay", "lib/keys", "lib/channels"];
const ROOT = path.resolve(import.meta.dirname, "..");

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

describe("framework-free cores", () => {
  it.each(CORES)("%s imports nothing from next", (dir) => {
    const offenders = files(path.join(ROOT, dir)).filter((f) =>
      /from\s+["']next(\/[^"']*)?["']|import\(\s*["']next(\/[^"']*)?["']\s*\)|require\(\s*["']next/.test(fs.readFileSync(f, "utf8")),
    );
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
