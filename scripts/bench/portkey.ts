import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitUntilUp } from "./support";

// The Portkey AI gateway, the gateway people pick instead of a relay with accounting, for the relay
// benchmark (scripts/bench/relay.ts). It is not a project dependency: it is installed on demand with
// npm into a folder of its own under the system's temporary directory, and reused from there.
//
// The package @portkey-ai/gateway ships one bundled server, build/start-server.js (Hono on
// @hono/node-server), listening on --port (all interfaces). A request names its upstream in headers:
// `x-portkey-provider: openai` and `x-portkey-custom-host: <base URL with /v1>` (loopback hosts are
// trusted by default), the Authorization header is passed on.
//
// @hono/node-server is pinned to 1.13.8: the gateway's range (^1.3.3) resolves to newer releases
// whose Response keeps the upstream fetch's immutable headers, and every streamed chat completion
// then fails with "TypeError: immutable" (Portkey-AI/gateway issues 1389 and 1550; 1.14.2 fails
// the same way on streams here).

export const PORTKEY_VERSION = "1.15.2";
const DIR = path.join(os.tmpdir(), `tollgate-bench-portkey-${PORTKEY_VERSION}`);
const PACKAGE_DIR = path.join(DIR, "node_modules/@portkey-ai/gateway");
const SERVER = path.join(PACKAGE_DIR, "build/start-server.js");
const MANIFEST = {
  private: true,
  dependencies: { "@portkey-ai/gateway": PORTKEY_VERSION },
  overrides: { "@hono/node-server": "1.13.8" },
};

function installed(): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string };
    const manifest = fs.readFileSync(path.join(DIR, "package.json"), "utf8");
    return pkg.version === PORTKEY_VERSION && manifest === JSON.stringify(MANIFEST) && fs.existsSync(SERVER);
  } catch {
    return false;
  }
}

/** installs the gateway into DIR unless it is there already */
function install(): void {
  if (installed()) return;
  console.log(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${DIR}`);
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, "package.json"), JSON.stringify(MANIFEST));
  // its postinstall (patch-package) has nothing to patch in the published build
  const r = spawnSync("npm", ["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: DIR,
    stdio: ["ignore", "inherit", "inherit"],
    // an unreachable registry must not hang the benchmark
    timeout: 300_000,
  });
  if (r.status !== 0 || !installed()) throw new Error(`npm install of @portkey-ai/gateway@${PORTKEY_VERSION} failed`);
}

export type Portkey = {
  url: string;
  pid: number;
  headers: (upstream: string) => Record<string, string>;
  stop: () => void;
};

/** the gateway, installed if needed and listening; null with the reason printed when it cannot be */
export async function startPortkey(): Promise<Portkey | null> {
  try {
    install();
  } catch (e) {
    console.error(`Portkey: skipped (${(e as Error).message})`);
    return null;
  }
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [SERVER, `--port=${port}`, "--headless"], {
    cwd: DIR,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/`, child);
  return {
    url,
    pid: child.pid!,
    headers: (upstream) => ({
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${upstream}/v1`,
      authorization: "Bearer sk-bench-upstream",
    }),
    stop: () => child.kill(),
  };
}
