import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { MockUpstream } from "../support/mock-upstream";
import { openai } from "../support/relay-client";
import { QUOTA_PER_USD, type SeedLog } from "../support/seed";
import type { Page } from "@playwright/test";
import { expect, setPreferences, signIn, test, type Seed, type Seeded } from "./support";

// The user's logs page in a real browser against the real server: filters kept in the URL, keyset
// pages both ways, a row's pricing explanation checked against its charge, the CSV of exactly the
// filtered rows, the chart and its table, bad addresses, and another user's rows never shown.

const HOUR = 3_600_000;
// the stored pricing of the seeded rows: (prompt − cached + cached × 0.5 + completion × 4) × 2.5 × 1
const PRICING = {
  model_ratio: 2.5,
  completion_ratio: 4,
  cache_ratio: 0.5,
  model_price: -1,
  group_ratio: 1,
  user_group_ratio: -1,
  quota_per_unit: 500_000,
  billing_mode: "ratio",
};
const charge = (prompt: number, completion: number, cached = 0) =>
  BigInt(Math.round((prompt - cached + cached * 0.5 + completion * 4) * 2.5));

type World = {
  user: Seeded;
  stranger: Seeded;
  rows: (SeedLog & { requestId: string })[];
  cachedRow: SeedLog & { requestId: string };
  driftRow: SeedLog & { requestId: string };
  relayRequestId: string;
};

async function seedWorld(seed: Seed, mock: MockUpstream): Promise<World> {
  const group = `logs_${randomBytes(3).toString("hex")}`;
  const user = await seed.createUser({ quota: 100n * QUOTA_PER_USD, group });
  const stranger = await seed.createUser({ quota: 100n * QUOTA_PER_USD, group });
  const alpha = await seed.createKey(user.id, { name: "alpha" });
  const beta = await seed.createKey(user.id, { name: "beta" });
  const strangerKey = await seed.createKey(stranger.id, { name: "alpha" });
  const now = Date.now();
  const rows: World["rows"] = [];
  for (let i = 0; i < 30; i++) {
    const claude = i % 6 === 0;
    const prompt = 1000 + i * 10;
    const completion = 200 + i;
    const cached = i === 3 ? 400 : 0;
    rows.push({
      at: new Date(now - (i + 1) * 2 * HOUR),
      model: claude ? "claude-x" : "gpt-4o",
      tokenId: claude ? beta.id : alpha.id,
      tokenName: claude ? "beta" : "alpha",
      group,
      promptTokens: prompt,
      completionTokens: completion,
      quota: charge(prompt, completion, cached),
      isStream: i % 2 === 0,
      useTime: 1 + (i % 5),
      requestId: randomBytes(16).toString("hex"),
      other: { ...PRICING, cache_tokens: cached, usage_source: "upstream", frt: 120 },
    });
  }
  // stored with a charge its inputs do not give: the page must flag it
  const driftRow = {
    at: new Date(now - 30 * 60_000),
    model: "drift-model",
    tokenId: alpha.id,
    tokenName: "alpha",
    group,
    promptTokens: 100,
    completionTokens: 10,
    quota: charge(100, 10) + 7n,
    requestId: randomBytes(16).toString("hex"),
    other: { ...PRICING, cache_tokens: 0, usage_source: "local_count" },
  };
  // older than 30 days: only the 90-day range shows them
  const old = [40, 41].map((d) => ({
    at: new Date(now - d * 24 * HOUR),
    model: "gpt-4o",
    tokenId: alpha.id,
    tokenName: "alpha",
    group,
    promptTokens: 10,
    completionTokens: 10,
    quota: charge(10, 10),
    requestId: randomBytes(16).toString("hex"),
    other: { ...PRICING, cache_tokens: 0, usage_source: "upstream" },
  }));
  await seed.seedConsumeLogs(user, [...rows, driftRow, ...old]);
  await seed.seedConsumeLogs(
    stranger,
    [0, 1, 2].map((i) => ({
      at: new Date(now - (i + 1) * HOUR),
      model: "secret-model",
      tokenId: strangerKey.id,
      tokenName: "alpha",
      group,
      promptTokens: 999,
      completionTokens: 1,
      quota: 4242n,
      requestId: randomBytes(16).toString("hex"),
      other: { ...PRICING, cache_tokens: 0 },
    })),
  );
  // one real request through the relay: its log carries the pricing the server really stored
  await seed.createChannel({ models: ["gpt-4-turbo"], baseUrl: `${mock.url}/v1`, groups: [group] });
  const relayKey = await seed.createKey(user.id, { name: "relay" });
  const { response } = await openai(relayKey.key)
    .chat.completions.create({ model: "gpt-4-turbo", messages: [{ role: "user", content: "hi" }] })
    .withResponse();
  const relayRequestId = response.headers.get("x-request-id")!;
  const { log } = await seed.finished(relayRequestId);
  expect(log?.quota).toBe(175n);
  return { user, stranger, rows, cachedRow: rows[3], driftRow, relayRequestId };
}

const tableRows = (page: Page) => page.getByTestId("logs-table").getByTestId("log-row");

async function search(page: Page, label: string, value: string) {
  await page.getByTestId("log-filters").getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Search" }).click();
}

test.describe.configure({ mode: "serial" });

let mock: MockUpstream;
test.beforeAll(async () => {
  mock = await MockUpstream.start();
});
test.afterAll(async () => {
  await mock.close();
});

test("filters in the URL, pages both ways, the pricing explanation, the chart and the CSV", async ({ page, seed }) => {
  test.setTimeout(240_000);
  const w = await seedWorld(seed, mock);
  await signIn(page, w.user);

  // usage only, last 7 days: 30 seeded rows + the drifted one + the relay's = 32
  await page.goto("/logs?type=2");
  await expect(page.getByTestId("log-total")).toHaveText("Total: 32");
  await expect(tableRows(page)).toHaveCount(20);
  const firstOfPage1 = await tableRows(page).first().locator("[data-col=time]").innerText();

  // pages: older, then back newer; the cursor is in the URL and survives a reload
  await page.getByRole("button", { name: "Older" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(tableRows(page)).toHaveCount(12);
  await page.reload();
  await expect(tableRows(page)).toHaveCount(12);
  await expect(page.getByRole("button", { name: "Older" })).toBeDisabled();
  await page.getByRole("button", { name: "Newer" }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(tableRows(page)).toHaveCount(20);
  await expect(tableRows(page).first().locator("[data-col=time]")).toHaveText(firstOfPage1);
  await expect(page.getByRole("button", { name: "Newer" })).toBeDisabled();

  // a text filter goes to the URL (and drops the cursor); a reload keeps the view
  await search(page, "Model", "claude-x");
  await expect(page).toHaveURL(/model=claude-x/);
  await expect(page).not.toHaveURL(/before=|after=/);
  await expect(tableRows(page)).toHaveCount(5);
  await page.reload();
  await expect(tableRows(page)).toHaveCount(5);
  await expect(page.getByTestId("log-filters").getByLabel("Model", { exact: true })).toHaveValue("claude-x");
  for (const model of await tableRows(page).locator("[data-col=model]").allInnerTexts()) expect(model).toBe("claude-x");
  const claudeQuota = w.rows.filter((r) => r.model === "claude-x").reduce((s, r) => s + r.quota, 0n);
  await expect(page.getByTestId("stat-quota").locator("[data-quota]")).toHaveAttribute(
    "data-quota",
    String(claudeQuota),
  );

  // the key filter and the range presets
  await page.goto("/logs?type=2&key=beta&range=90d");
  await expect(tableRows(page)).toHaveCount(5);
  await page.goto("/logs?type=2&key=alpha&range=90d");
  await expect(page.getByTestId("log-total")).toHaveText("Total: 28"); // 25 + drift + 2 old
  await page.goto("/logs?type=2&key=alpha&range=24h");
  await expect(page.getByTestId("log-total")).toHaveText("Total: 10"); // 9 within 24 h + drift

  // the group filter, typed in the form: the user's group holds every row of the week, another none
  const group = w.rows[0].group!;
  await page.goto("/logs?type=2&range=7d");
  await search(page, "Group", group);
  await expect(page).toHaveURL(new RegExp(`group=${group}`));
  await expect(page.getByTestId("log-total")).toHaveText("Total: 32");
  await search(page, "Group", "no-such-group");
  await expect(page).toHaveURL(/group=no-such-group/);
  await expect(page.getByText("No log matches these filters.")).toBeVisible();
  await expect(page.getByTestId("stat-quota").locator("[data-quota]")).toHaveAttribute("data-quota", "0");

  // a custom range picked in the form: from the day before yesterday to yesterday, both included
  // (local days of the browser, which runs in this process's zone)
  await page.goto("/logs?type=2");
  await page.getByTestId("filter-range").click();
  await page.getByRole("option", { name: "Custom dates" }).click();
  await expect(page).toHaveURL(/range=custom/);
  const midnight = (offset: number) => {
    const d = new Date();
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() + offset);
    return d;
  };
  const dayText = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const [start, end] = [midnight(-2), midnight(0)];
  await page.getByTestId("filter-from").fill(dayText(start));
  await page.getByTestId("filter-to").fill(dayText(midnight(-1)));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${start.getTime()}`));
  await expect(page).toHaveURL(new RegExp(`to=${end.getTime()}`));
  const inRange = [...w.rows, w.driftRow].filter((r) => r.at >= start && r.at < end);
  await expect(page.getByTestId("log-total")).toHaveText(`Total: ${inRange.length}`);
  await expect(page.getByTestId("stat-quota").locator("[data-quota]")).toHaveAttribute(
    "data-quota",
    String(inRange.reduce((q, r) => q + r.quota, 0n)),
  );
  await page.reload();
  await expect(page.getByTestId("filter-from")).toHaveValue(dayText(start));
  await expect(page.getByTestId("filter-to")).toHaveValue(dayText(midnight(-1)));

  // the chart: drawn, and its table has the rollups' numbers
  await page.goto("/logs?type=2&range=7d");
  await expect(page.getByTestId("usage-chart-graphic").locator("svg.recharts-surface").first()).toBeVisible();
  const chartQuota = async (model: string) => {
    const cells = await page
      .getByTestId("usage-chart-table")
      .locator(`tr[data-model="${model}"]`)
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-quota") ?? "0"));
    return cells.reduce((s, q) => s + BigInt(q), 0n);
  };
  await expect(page.getByTestId("usage-chart-table").locator("tr[data-model]").first()).toBeAttached();
  expect(await chartQuota("claude-x")).toBe(claudeQuota);
  expect(await chartQuota("gpt-4o")).toBe(w.rows.filter((r) => r.model === "gpt-4o").reduce((s, r) => s + r.quota, 0n));
  expect(await chartQuota("secret-model")).toBe(0n);

  // a row with cached tokens: the stored inputs, the formula and the charged integer
  await page.goto(`/logs?rid=${w.cachedRow.requestId}`);
  await expect(tableRows(page)).toHaveCount(1);
  await tableRows(page).getByTestId("log-expand").click();
  const ex = page.getByTestId("logs-table").getByTestId("charge-explanation");
  await expect(ex.getByTestId("explain-model-ratio")).toHaveText("2.5");
  await expect(ex.getByTestId("explain-completion-ratio")).toHaveText("4");
  await expect(ex.getByTestId("explain-cache-ratio")).toHaveText("0.5");
  await expect(ex.getByTestId("explain-prompt")).toHaveText("1,030");
  await expect(ex.getByTestId("explain-completion")).toHaveText("203");
  await expect(ex.getByTestId("explain-cached")).toHaveText("400");
  await expect(ex.getByTestId("explain-usage-source")).toHaveText("reported by the upstream");
  await expect(ex.getByTestId("explain-formula")).toHaveText("(1030 − 400 + 400 × 0.5 + 203 × 4) × 2.5 × 1 = 4105");
  await expect(ex.getByTestId("explain-recomputed")).toHaveText(String(w.cachedRow.quota));
  await expect(ex.getByTestId("explain-charged")).toHaveText(String(w.cachedRow.quota));
  await expect(ex.getByTestId("explain-match")).toBeVisible();

  // a charge that its inputs do not give is flagged
  await page.goto(`/logs?rid=${w.driftRow.requestId}`);
  await tableRows(page).getByTestId("log-expand").click();
  await expect(page.getByTestId("logs-table").getByTestId("explain-mismatch")).toHaveText(
    `Differs: recomputed ${charge(100, 10)}, charged ${w.driftRow.quota}`,
  );
  await expect(page.getByTestId("logs-table").getByTestId("explain-usage-source")).toHaveText("counted locally");

  // the real relay request: the server's stored pricing explains its 175 quota
  await page.goto(`/logs?rid=${w.relayRequestId}`);
  await tableRows(page).getByTestId("log-expand").click();
  await expect(page.getByTestId("logs-table").getByTestId("explain-formula")).toHaveText("(17 + 6 × 3) × 5 × 1 = 175");
  await expect(page.getByTestId("logs-table").getByTestId("explain-charged")).toHaveText("175");
  await expect(page.getByTestId("logs-table").getByTestId("explain-match")).toBeVisible();

  // the CSV of the filtered rows: BOM, a header, the 5 claude-x rows only, display unit and raw quota
  await page.goto("/logs?type=2&model=claude-x");
  await expect(tableRows(page)).toHaveCount(5);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").trimEnd().split(/\r?\n/);
  expect(lines).toHaveLength(1 + 5);
  expect(lines[0]).toContain("Model");
  expect(lines[0]).toContain("Quota (USD),Quota (raw)");
  const body = lines.slice(1);
  for (const line of body) expect(line).toContain("claude-x");
  expect(body.join("\n")).not.toContain("secret-model");
  for (const r of w.rows.filter((x) => x.model === "claude-x")) {
    const line = body.find((l) => l.includes(r.requestId));
    expect(line, r.requestId).toBeDefined();
    // the display unit (USD at 500,000 quota per dollar), then the raw quota
    expect(line).toContain(`,${(Number(r.quota) / 500_000).toFixed(6)},${r.quota},`);
  }
  await expect(page.getByText(/Exported 5 rows/)).toBeVisible();
});

test("another user's rows never show, whatever the URL says", async ({ page, seed }) => {
  const w = await seedWorld(seed, mock);
  await signIn(page, w.user);
  // the stranger's key has the same name; their model and username never appear
  for (const url of [
    "/logs?range=all",
    "/logs?range=all&key=alpha",
    `/logs?range=all&user=${w.stranger.username}`,
    "/logs?range=all&model=secret-model",
  ]) {
    await page.goto(url);
    await expect(page.getByTestId("log-stats")).toBeVisible();
    await expect(page.getByTestId("logs-table").or(page.getByText("No log matches these filters."))).toBeVisible();
    const text = await page.getByRole("main").innerText();
    expect(text, url).not.toContain("secret-model");
    expect(text, url).not.toContain(w.stranger.username);
    expect(text, url).not.toContain("4,242");
  }
  await page.goto("/logs?range=all&model=secret-model");
  await expect(page.getByText("No log matches these filters.")).toBeVisible();
  await expect(page.getByTestId("stat-quota").locator("[data-quota]")).toHaveAttribute("data-quota", "0");
  // the CSV of the user's scope has none of them either
  const res = await page.request.get("/api/logs/export?scope=self&tz=UTC&model=secret-model");
  expect(res.status()).toBe(200);
  expect(
    (await res.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/),
  ).toHaveLength(1);
  // the admin scope is refused to a user
  const admin = await page.request.get("/api/logs/export?scope=admin&tz=UTC");
  expect(admin.status()).toBeGreaterThanOrEqual(400);
});

test("bad URL parameters give an inline message, never a crash", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  const cases: [string, RegExp][] = [
    ["/logs?type=99", /not one of the log types/],
    ["/logs?type=abc", /not one of the log types/],
    [
      `/logs?range=custom&from=${Date.UTC(2026, 0, 2)}&to=${Date.UTC(2026, 0, 1)}`,
      /start must be a date before its end/,
    ],
    ["/logs?range=custom&from=12&to=34", /time range is not valid/],
    [`/logs?rid=${"x".repeat(10_000)}`, /request ID is too long/],
    ["/logs?after=not-a-cursor", /page position/],
    ["/logs?range=5y", /time range is not valid/],
  ];
  for (const [url, message] of cases) {
    await page.goto(url);
    await expect(page.getByRole("heading", { level: 1, name: "Logs" })).toBeVisible();
    await expect(page.getByTestId("filter-error"), url).toContainText(message);
  }
  await page.getByRole("button", { name: "Clear the filters" }).click();
  await expect(page.getByTestId("filter-error")).toHaveCount(0);
  // the default view: the last 7 days, where this user has their sign-in
  await expect(page).toHaveURL(/\/logs$/);
  await expect(page.getByTestId("log-total")).toHaveText("Total: 1");
});

test("screenshots: the logs page with an expanded row, zh and en, desktop and phone", async ({
  page,
  seed,
}, testInfo) => {
  test.setTimeout(120_000);
  const w = await seedWorld(seed, mock);
  await signIn(page, w.user);
  for (const lang of ["en", "zh"] as const) {
    for (const theme of ["light", "dark"] as const) {
      await setPreferences(page, { lang, theme });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        await page.goto("/logs?type=2");
        await expect(page.getByTestId("usage-chart-graphic")).toBeVisible();
        const container = page.getByTestId(width === 390 ? "logs-cards" : "logs-table");
        await container.getByRole("button", { expanded: false }).nth(3).click();
        await expect(container.getByTestId("charge-explanation")).toBeVisible();
        await page.waitForLoadState("networkidle");
        const text = await page.getByRole("main").innerText();
        expect(text).not.toMatch(/\blogs\.[a-zA-Z]+\.[a-zA-Z]+/);
        await page.screenshot({ path: testInfo.outputPath(`logs-${lang}-${theme}-${width}.png`), fullPage: true });
        await page.goto("/dashboard");
        await expect(page.getByTestId("usage-chart-graphic")).toBeVisible();
        await page.screenshot({
          path: testInfo.outputPath(`dashboard-${lang}-${theme}-${width}.png`),
          fullPage: true,
        });
      }
    }
  }
});
