import { spawn, type ChildProcess } from "node:child_process";
import { expect } from "@playwright/test";
import { E2E_DATABASE_URL, E2E_NEXTAUTH_SECRET } from "../global-setup";

// A second (third…) app node for the specs about several nodes, stops and crashes: the server that
// `npm start` runs (scripts/serve.mjs) on a port of its own, on the suite's database, so the
// suite's own server keeps running beside it.

export type AppNode = {
  port: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** what the node printed so far */
  output: () => string;
};

export function startNode(port: number, env: Record<string, string> = {}): AppNode {
  let out = "";
  const proc = spawn(process.execPath, ["scripts/serve.mjs"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: E2E_DATABASE_URL,
      NEXTAUTH_SECRET: E2E_NEXTAUTH_SECRET,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { port, proc, exited, output: () => out };
}

/** waits until the node answers its health check */
export async function nodeReady(port: number): Promise<void> {
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status ?? 0, {
      timeout: 60_000,
    })
    .toBe(200);
}

/** kills the node unless it has ended already */
export function killNode(node: AppNode, signal: NodeJS.Signals = "SIGKILL"): void {
  if (node.proc.exitCode === null && node.proc.signalCode === null) node.proc.kill(signal);
}
