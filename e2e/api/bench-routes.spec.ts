import http from "node:http";
import { expect, test } from "@playwright/test";
import { E2E_BASE_URL } from "../global-setup";

// The benchmarks serve the normal build: it has no benchmark-only routes. The server npm start runs
// (scripts/serve.mjs, which this suite's webServer starts) must answer 404 under /api/bench, also
// for paths that try to climb out of it. The paths are sent byte for byte (node:http, not fetch,
// whose URL parser would resolve dot segments before they reach the server).

function send(method: "GET" | "POST", path: string): Promise<number> {
  const { hostname, port } = new URL(E2E_BASE_URL);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

test("nothing answers under /api/bench in the production server", async () => {
  for (const path of [
    "/api/bench/noop",
    "/api/bench/forward/..%2f",
    "/api/bench/forward/..%2f..%2fapi/health",
    "/api/bench/forward/v1/chat/completions",
    "/api/bench/forward/%2e%2e/%2e%2e/api/health",
    "/api/bench",
  ]) {
    for (const method of ["GET", "POST"] as const) {
      expect(await send(method, path), `${method} ${path}`).toBe(404);
    }
  }
});
