// Operator CLI: `npm run tollgate -- <command> [--flags]`. Commands live in scripts/cli/<domain>.ts;
// scripts/cli/index.ts lists them and dispatches. This file only prepares the process.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

// lib/*/service.ts import "server-only", which throws unless the react-server export condition is
// on, as it is in Next's server. `npm run tollgate` passes --conditions=react-server; started any
// other way (npx tsx scripts/cli.ts), run again with it.
if (!import.meta.resolve("server-only").endsWith("/empty.js")) {
  const r = spawnSync(process.execPath, ["--conditions=react-server", ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

// Without DATABASE_URL, use the embedded database of a running `npm start` (scripts/start.mjs
// records it in .data/run.json while it runs).
if (!process.env.DATABASE_URL) {
  const url = embeddedDatabaseUrl();
  if (url) process.env.DATABASE_URL = url;
}

function embeddedDatabaseUrl(): string | undefined {
  try {
    const run = JSON.parse(fs.readFileSync(path.join(ROOT, ".data", "run.json"), "utf8")) as {
      pid?: number;
      databaseUrl?: string;
    };
    if (!run.pid || !run.databaseUrl) return undefined;
    process.kill(run.pid, 0); // throws when that npm start is gone
    return run.databaseUrl;
  } catch {
    return undefined;
  }
}

const { main } = await import("./cli/index");
const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  hasDatabase: Boolean(process.env.DATABASE_URL),
});
// stdout and stderr are synchronous for files and pipes on Linux: nothing is lost by exiting now,
// and a stray handle (a Redis reconnect timer) cannot keep the operator waiting
process.exit(code);
