import { QUOTA_PER_USD } from "../support/seed";
import { expect, signIn, test } from "./support";

// The dashboard as a user meets it after some use: balance, used quota and request count, the
// invitation rewards, the newest requests with the way to all logs; and the same figures in each
// display unit an admin may choose (USD, CNY through the exchange rate, raw quota).

test("the stat cards, the newest requests with a link to the logs, in USD, CNY and raw quota", async ({
  page,
  seed,
  pool,
}) => {
  test.setTimeout(120_000);
  const user = await seed.createUser({ quota: 10n * QUOTA_PER_USD });
  await seed.giveAffQuota(user.id, 1_000_000n);
  // six requests, a minute apart, the newest last; 1,000 … 6,000 quota = 21,000 in all
  const now = Date.now();
  await seed.seedConsumeLogs(
    user,
    [1, 2, 3, 4, 5, 6].map((i) => ({
      at: new Date(now - (7 - i) * 60_000),
      model: `dash-model-${i}`,
      tokenName: "dash-key",
      quota: BigInt(i * 1000),
      promptTokens: i * 100,
      completionTokens: i * 10,
    })),
  );
  await signIn(page, user);

  // 5,000,000 − 21,000 = 4,979,000 quota
  await expect(page.getByTestId("stat-balance")).toHaveText("$9.958");
  await expect(page.getByTestId("stat-used")).toHaveText("$0.042");
  await expect(page.getByTestId("stat-requests")).toHaveText("6");
  await expect(page.getByTestId("stat-aff-quota")).toHaveText("$2.00");
  await expect(page.getByTestId("stat-aff-count")).toHaveText("1");

  // the five newest, newest first, with what each cost
  const rows = page.getByTestId("recent-requests").locator("tbody tr");
  await expect(rows).toHaveCount(5);
  await expect(rows.first()).toContainText("dash-model-6");
  await expect(rows.first()).toContainText("dash-key");
  await expect(rows.first()).toContainText("600 / 60");
  await expect(rows.first()).toContainText("$0.012");
  await expect(rows.last()).toContainText("dash-model-2");
  await expect(page.getByTestId("recent-requests")).not.toContainText("dash-model-1");

  // the display unit is the admin's choice; the server reads options through a short cache
  const { rows: saved } = await pool.query<{ value: unknown }>(
    "SELECT value FROM options WHERE key = 'QuotaDisplayType'",
  );
  const balanceAfterReload = async () => {
    await page.reload();
    return page.getByTestId("stat-balance").textContent();
  };
  try {
    await seed.setOption("QuotaDisplayType", "CNY");
    // × 7.3 (the default exchange rate)
    await expect.poll(balanceAfterReload, { timeout: 30_000, intervals: [1000] }).toBe("¥72.6934");
    await expect(page.getByTestId("stat-used")).toHaveText("¥0.3066");
    await expect(page.getByTestId("stat-aff-quota")).toHaveText("¥14.60");
    await expect(page.getByTestId("recent-requests").locator("tbody tr").first()).toContainText("¥0.0876");

    await seed.setOption("QuotaDisplayType", "TOKENS");
    await expect.poll(balanceAfterReload, { timeout: 30_000, intervals: [1000] }).toBe("4,979,000 tokens");
    await expect(page.getByTestId("stat-used")).toHaveText("21,000 tokens");
    await expect(page.getByTestId("stat-aff-quota")).toHaveText("1,000,000 tokens");
    await expect(page.getByTestId("stat-requests")).toHaveText("6");
    await expect(page.getByTestId("recent-requests").locator("tbody tr").first()).toContainText("6,000 tokens");
  } finally {
    if (saved.length) await seed.setOption("QuotaDisplayType", saved[0].value);
    else await seed.deleteOption("QuotaDisplayType");
    await expect.poll(balanceAfterReload, { timeout: 30_000, intervals: [1000] }).toBe("$9.958");
  }

  // all of them are one click away
  await page.getByRole("link", { name: "All logs" }).click();
  await expect(page).toHaveURL(/\/logs$/);
  await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
});
