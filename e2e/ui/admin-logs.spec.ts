import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { QUOTA_PER_USD, type SeedLog } from "../support/seed";
import { expect, setPreferences, signIn, test, type Seed } from "./support";

// The admin's logs page: every user's rows with the operator's columns, the username and channel
// filters, and retention (a cleanup of old rows started, watched to the end).

const HOUR = 3_600_000;
const PRICING = {
  model_ratio: 1,
  completion_ratio: 1,
  cache_ratio: 1,
  model_price: -1,
  group_ratio: 1,
  quota_per_unit: 500_000,
};

async function seedTwoUsers(seed: Seed) {
  const group = `alogs_${randomBytes(3).toString("hex")}`;
  const u1 = await seed.createUser({ quota: 10n * QUOTA_PER_USD, group });
  const u2 = await seed.createUser({ quota: 10n * QUOTA_PER_USD, group });
  const ch1 = await seed.createChannel({ models: ["m-one"], groups: [group], name: `one_${group}` });
  const ch2 = await seed.createChannel({ models: ["m-two"], groups: [group], name: `two_${group}` });
  const k1 = await seed.createKey(u1.id, { name: "k1" });
  const k2 = await seed.createKey(u2.id, { name: "k2" });
  const now = Date.now();
  const row = (
    i: number,
    model: string,
    tokenId: number,
    channelId: number,
    extra: Partial<SeedLog> = {},
  ): SeedLog => ({
    at: new Date(now - (i + 1) * HOUR),
    model,
    tokenId,
    tokenName: tokenId === k1.id ? "k1" : "k2",
    group,
    channelId,
    promptTokens: 100,
    completionTokens: 50,
    quota: 150n,
    other: { ...PRICING, cache_tokens: 0, usage_source: "upstream" },
    ...extra,
  });
  await seed.seedConsumeLogs(
    u1,
    [0, 1, 2].map((i) => row(i, "m-one", k1.id, ch1, { ip: "203.0.113.7", upstreamRequestId: `up-${i}-${group}` })),
  );
  await seed.seedConsumeLogs(
    u2,
    [0, 1].map((i) => row(i, "m-two", k2.id, ch2)),
  );
  return { group, u1, u2, ch1, ch2 };
}

const rows = (page: Page) => page.getByTestId("logs-table").getByTestId("log-row");

test("all users with the operator's columns, filtered by username and by channel", async ({ page, seed }) => {
  const admin = await seed.createUser({ role: 10 });
  const w = await seedTwoUsers(seed);
  await signIn(page, admin);
  await page.goto(`/admin/logs?group=${w.group}`);
  await expect(page.getByRole("heading", { level: 1, name: "All logs" })).toBeVisible();
  await expect(rows(page)).toHaveCount(5);
  await expect(page.getByRole("columnheader", { name: "IP" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Upstream request ID" })).toBeVisible();

  await page.getByTestId("log-filters").getByLabel("Username", { exact: true }).fill(w.u1.username);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`user=${w.u1.username}`));
  await expect(rows(page)).toHaveCount(3);
  for (const u of await rows(page).locator("[data-col=user]").allInnerTexts()) expect(u).toBe(w.u1.username);
  await expect(rows(page).first().locator("[data-col=ip]")).toHaveText("203.0.113.7");
  await expect(rows(page).first().locator("[data-col=upstream]")).toHaveText(/^up-0-/);
  await expect(rows(page).first().locator("[data-col=channel]")).toContainText(`#${w.ch1}`);
  await expect(rows(page).first().locator("[data-col=usageSource]")).toHaveText("reported by the upstream");
  await expect(page.getByTestId("stat-quota").locator("[data-quota]")).toHaveAttribute("data-quota", "450");

  // channel two: the other user's rows only (username cleared)
  await page.goto(`/admin/logs?group=${w.group}`);
  await page.getByTestId("filter-channel").click();
  await page.getByRole("option", { name: `#${w.ch2} two_${w.group}` }).click();
  await expect(page).toHaveURL(new RegExp(`channel=${w.ch2}`));
  await expect(rows(page)).toHaveCount(2);
  for (const u of await rows(page).locator("[data-col=user]").allInnerTexts()) expect(u).toBe(w.u2.username);
  await page.reload();
  await expect(rows(page)).toHaveCount(2);

  // an unknown username matches nothing; a user cannot open the page at all
  await page.goto("/admin/logs?user=nobody_at_all_here");
  await expect(page.getByText("No log matches these filters.")).toBeVisible();
});

test("retention: a cleanup of old rows, confirmed, runs to done with its progress shown", async ({ page, seed }) => {
  test.setTimeout(90_000);
  const admin = await seed.createUser({ role: 10 });
  const w = await seedTwoUsers(seed);
  // rows from 2001 (nothing else in the database is that old)
  await seed.seedConsumeLogs(
    w.u1,
    Array.from({ length: 25 }, (_, i) => ({
      at: new Date(Date.UTC(2001, 0, 1 + i)),
      model: "m-one",
      group: w.group,
      promptTokens: 1,
      completionTokens: 1,
      quota: 2n,
    })),
  );
  await signIn(page, admin);
  await page.goto(`/admin/logs?range=custom&from=${Date.UTC(2000, 11, 1)}&to=${Date.UTC(2001, 5, 1)}`);
  await expect(page.getByTestId("log-total")).toHaveText("Total: 25");
  const panel = page.getByTestId("retention-panel");
  await panel.getByTestId("retention-date").fill("2001-06-01");
  await panel.getByRole("button", { name: "Delete old logs" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Every log before");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Cleanup started.")).toBeVisible();
  const latest = panel.getByTestId("retention-item").first();
  await expect(latest).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(latest.getByTestId("retention-deleted")).toHaveText("25 of 25 deleted");
  await expect(panel.getByTestId("retention-progress")).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("No logs", { exact: true })).toBeVisible();
  await expect(page.getByTestId("log-total")).toHaveCount(0);
  // the recent rows are still there
  await page.goto(`/admin/logs?group=${w.group}`);
  await expect(rows(page)).toHaveCount(5);
});

test("screenshots: the admin logs page, zh and en, desktop and phone", async ({ page, seed }, testInfo) => {
  test.setTimeout(90_000);
  const admin = await seed.createUser({ role: 10 });
  const w = await seedTwoUsers(seed);
  await signIn(page, admin);
  for (const lang of ["en", "zh"] as const) {
    for (const theme of ["light", "dark"] as const) {
      await setPreferences(page, { lang, theme });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        await page.goto(`/admin/logs?group=${w.group}`);
        await expect(page.getByTestId("retention-panel")).toBeVisible();
        const container = page.getByTestId(width === 390 ? "logs-cards" : "logs-table");
        await container.getByRole("button", { expanded: false }).first().click();
        await page.waitForLoadState("networkidle");
        expect(await page.getByRole("main").innerText()).not.toMatch(/\blogs\.[a-zA-Z]+\.[a-zA-Z]+/);
        await page.screenshot({
          path: testInfo.outputPath(`admin-logs-${lang}-${theme}-${width}.png`),
          fullPage: true,
        });
      }
    }
  }
});
