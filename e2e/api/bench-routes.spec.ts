import { expect, test } from "@playwright/test";
import { rawCall } from "../support/relay-client";

// The benchmark-only routes are not part of a normal build: the e2e server runs one with the bench
// runtime flags set (playwright.config.ts), and still has no such routes.

test("the bench routes answer 404 in a normal build, even with their runtime flags set", async () => {
  for (const path of [
    "/api/bench/noop",
    "/api/bench/forward/v1/chat/completions",
    "/api/bench/forward/%2e%2e/%2e%2e/api/health",
  ]) {
    const r = await rawCall(path, { body: "{}" });
    expect(r.status, path).toBe(404);
  }
});
