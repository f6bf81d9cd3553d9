#!/usr/bin/env node
// The production server that `npm start` runs (and the e2e suite): one node:http server of our own
// with two doors. /v1/* and /api/settlement/* go straight to the relay's framework-free handlers
// (lib/server/fast-path.ts); everything else to Next's request handler (Next's custom-server mode).
// A SIGTERM or SIGINT is a graceful stop:
//   1. stop accepting connections; idle keep-alive connections close;
//   2. requests in flight may finish for up to REQUESTS_MS; what is still open then (a long
//      stream) is cut, which aborts its upstream call and schedules its settle like any client
//      that leaves;
//   3. the settles of every response already sent are written (lib/quota/settle-queue), for up to
//      SETTLES_MS: a served request is never left to the sweeper, which would refund it;
//   4. exit 0.
// PORT (3000) and HOST (127.0.0.1) say where to listen.
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT || 3000);
const HOST = process.env.HOST || "127.0.0.1";
const REQUESTS_MS = 5_000;
const SETTLES_MS = 10_000;

const app = next({ dev: false, dir: ROOT, hostname: HOST, port: PORT });
const handle = app.getRequestHandler();
await app.prepare();

let inFlight = 0;
let drained = null;
let stopping = false;
const server = http.createServer((req, res) => {
  inFlight++;
  // a keep-alive connection that was busy when the stop began ends with its answer
  if (stopping) res.setHeader("connection", "close");
  res.once("close", () => {
    inFlight--;
    if (inFlight === 0) drained?.();
  });
  // /v1 and /api/settlement: straight to the relay's handlers (lib/server/fast-path.ts, published by
  // instrumentation.ts once Next has loaded the app); everything else through Next's router
  if (globalThis.tollgateServeFast?.(req, res)) return;
  handle(req, res).catch((e) => {
    console.error("request failed", e);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(PORT, HOST, () => console.log(`[serve] listening on http://${HOST}:${PORT}`));

const within = (promise, ms) => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[serve] ${signal}: no new connections; finishing requests in flight`);
  server.close();
  // connections busy now become idle later: close those as they do, so none carries a new request
  server.closeIdleConnections();
  const idleCloser = setInterval(() => server.closeIdleConnections(), 50);
  if (inFlight > 0) await within(new Promise((resolve) => (drained = resolve)), REQUESTS_MS);
  clearInterval(idleCloser);
  if (inFlight > 0) console.log(`[serve] cutting ${inFlight} request(s) still open after ${REQUESTS_MS / 1000} s`);
  // what is left is idle, or cut: a cut stream aborts its upstream call and settles what was served
  server.closeAllConnections();
  // published by instrumentation.ts (lib/workers.ts): resolves when no settle is pending
  const drain = globalThis.tollgateDrainSettles;
  if (drain) {
    const left = await drain(SETTLES_MS);
    if (left > 0)
      console.error(
        `[serve] ${left} settle(s) still pending after ${SETTLES_MS / 1000} s: their holds return when the leases run out`,
      );
  }
  await within(app.close(), 2_000);
  console.log("[serve] stopped");
  process.exit(0);
}
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => void stop(signal));
