// Whether the production build in .next is missing or older than its sources: `npm start`
// (scripts/start.mjs) and the benchmarks (scripts/bench/support.ts) build only then. Built-in modules
// only, because npm start runs it before the dependencies are installed.
import fs from "node:fs";
import path from "node:path";

// what `next build` compiles: a newer file here means the build is stale
const BUILD_INPUTS = [
  "app",
  "lib",
  "components",
  "prisma",
  "public",
  "package-lock.json",
  "next.config.ts",
  "postcss.config.mjs",
  "instrumentation.ts",
  "middleware.ts",
  "proxy.ts",
];

/** true when `root`/.next has no build, or a source of the build changed after it */
export function buildIsStale(root) {
  let built;
  try {
    built = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    return true;
  }
  return BUILD_INPUTS.some((p) => newestMtime(path.join(root, p)) > built);
}

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : st.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}
