import { defineConfig } from "@playwright/test";
import { E2E_BASE_URL, E2E_DATABASE_URL, E2E_NEXTAUTH_SECRET, E2E_PORT, E2E_RESEND_PORT } from "./e2e/global-setup";

// End-to-end tests against the server that `npm start` runs, scripts/serve.mjs (build first:
// `npx next build`; scripts/test.sh does).
// Debian's Chromium is used because Playwright's own browser download is unreachable offline.
// E2E_PORT and E2E_DATABASE_URL let several people run the suite side by side.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: E2E_BASE_URL,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "ui", testDir: "e2e/ui", use: { viewport: { width: 1280, height: 800 } } },
    { name: "api", testDir: "e2e/api" },
  ],
  webServer: {
    command: "node scripts/serve.mjs",
    // Playwright starts the server before globalSetup has created the database, so readiness is a
    // page that needs none (/api/health would answer 503 until then); smoke.spec.ts checks health.
    url: `${E2E_BASE_URL}/login`,
    reuseExistingServer: process.env.E2E_REUSE_SERVER === "1",
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    // merged over process.env by Playwright; an undefined value drops the variable (Node's spawn skips it)
    env: {
      PORT: String(E2E_PORT),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: E2E_DATABASE_URL,
      NEXTAUTH_SECRET: E2E_NEXTAUTH_SECRET,
      NEXTAUTH_URL: E2E_BASE_URL,
      // in-process counters and caches unless E2E_REDIS_URL asks for Redis, so two runs never share login limits
      REDIS_URL: process.env.E2E_REDIS_URL,
      // notifications go to the specs' receivers on 127.0.0.1 (e2e/support/receivers.ts) and e-mail
      // to a fake Resend API there; nothing leaves the machine
      TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS: "true",
      RESEND_API_KEY: "re_e2e_not_a_real_key",
      RESEND_BASE_URL: `http://127.0.0.1:${E2E_RESEND_PORT}`,
    } as Record<string, string>,
  },
});
