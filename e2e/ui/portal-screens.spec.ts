import { expect, setPreferences, signIn, test } from "./support";

// A full-page screenshot of every portal page in both languages, both themes, at desktop and
// phone width, with data on it, saved under the test output (test-results/) for a person to
// look at. It also fails when a page shows a dictionary key instead of its text.

const PAGES = ["/dashboard", "/keys", "/wallet", "/logs", "/settings"] as const;

test("every page, zh and en, light and dark, 1280 and 390 px", async ({ page, seed, pool }, testInfo) => {
  test.setTimeout(360_000);
  const user = await seed.createUser({ quota: 12_345_678n });
  await seed.giveAffQuota(user.id, 1_000_000n);
  await seed.createRedemption(1n); // someone else's code: never shown
  const code = await seed.createRedemption(2_500_000n);
  await signIn(page, user);
  // some keys in every state, a credit in the history
  await page.goto("/keys");
  await page.getByRole("button", { name: "Create your first key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name", { exact: true }).fill("production");
  await dialog.getByLabel("Number of keys").fill("4");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("button", { name: "I have saved it" }).click();
  await pool.query(
    `UPDATE tokens SET status = CASE WHEN name = 'production' THEN 1 ELSE status END,
       unlimited_quota = (id % 2 = 0), remain_quota = 2500000, granted_quota = 2500000,
       model_limits = 'gpt-4o,gpt-4o-mini', model_limits_enabled = (id % 3 = 0), allow_ips = CASE WHEN id % 2 = 1 THEN '10.0.0.0/8' ELSE '' END
     WHERE user_id = $1`,
    [user.id],
  );
  const ids = (await seed.keys(user.id)).map((k) => k.id);
  await pool.query("UPDATE tokens SET status = 2 WHERE id = $1", [ids[1]]);
  await pool.query("UPDATE tokens SET status = 3, expired_time = 1700000000 WHERE id = $1", [ids[2]]);
  await pool.query(
    "UPDATE tokens SET status = 4, remain_quota = 0, granted_quota = 0, unlimited_quota = false WHERE id = $1",
    [ids[3]],
  );
  await pool.query(
    "UPDATE tokens SET accessed_at = now() - interval '3 hours', expired_time = extract(epoch FROM now())::bigint + 86400 * 20 WHERE id = $1",
    [ids[0]],
  );
  await page.goto("/wallet");
  await page.getByLabel("Redemption code").fill(code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByTestId("wallet-balance")).toHaveText("$29.6914");
  // a few requests for the dashboard, charged as the billing module would (wallet, used quota, count)
  for (const [model, prompt, completion, quota] of [
    ["gpt-4o", 1200, 350, 5_250n],
    ["gpt-4o-mini", 800, 120, 312n],
    ["text-embedding-3-small", 2000, 0, 20n],
  ] as const) {
    await pool.query(
      `WITH u AS (UPDATE users SET quota = quota - $2, used_quota = used_quota + $2, request_count = request_count + 1 WHERE id = $1 RETURNING username)
       INSERT INTO logs (user_id, type, username, token_name, model_name, quota, prompt_tokens, completion_tokens)
       SELECT $1, 2, u.username, 'production', $3, $2, $4, $5 FROM u`,
      [user.id, String(quota), model, prompt, completion],
    );
  }

  for (const lang of ["en", "zh"] as const) {
    for (const theme of ["light", "dark"] as const) {
      await setPreferences(page, { lang, theme });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        for (const path of PAGES) {
          await page.goto(path);
          await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
          await page.waitForLoadState("networkidle");
          const text = await page.getByRole("main").innerText();
          expect(text, `${path} ${lang}`).not.toMatch(/\b(keys|wallet|dashboard|common|error|field)\.[a-zA-Z]+/);
          await page.screenshot({
            path: testInfo.outputPath(`${path.slice(1)}-${lang}-${theme}-${width}.png`),
            fullPage: true,
          });
        }
        // the dialogs of the keys page
        await page.goto("/keys");
        // a shortened model list with its whole list in the tooltip (keyboard focus)
        await page.locator('[data-testid="key-models"]:visible').first().focus();
        await expect(page.getByRole("tooltip")).toContainText("gpt-4o-mini");
        await page.screenshot({ path: testInfo.outputPath(`keys-tooltip-${lang}-${theme}-${width}.png`) });
        await page.keyboard.press("Escape");
        await page
          .getByRole("main")
          .getByRole("button", { name: lang === "en" ? "Create key" : "创建密钥" })
          .click();
        await expect(page.getByRole("dialog")).toBeVisible();
        await page.screenshot({ path: testInfo.outputPath(`keys-create-${lang}-${theme}-${width}.png`) });
        await page.keyboard.press("Escape");
        // the wallet's transfer tab, with its preview
        await page.goto("/wallet");
        await page.getByRole("tab", { name: lang === "en" ? "Transfer rewards" : "转入邀请奖励" }).click();
        await expect(page.getByTestId("transfer-preview")).toBeVisible();
        await page.screenshot({
          path: testInfo.outputPath(`wallet-transfer-${lang}-${theme}-${width}.png`),
          fullPage: true,
        });
      }
    }
  }
  // the once-only dialog after a regeneration
  for (const lang of ["en", "zh"] as const) {
    await setPreferences(page, { lang, theme: "light" });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto("/keys");
    await page.getByTestId("keys-table").getByTestId("key-actions").first().click();
    await page.getByRole("menuitem", { name: lang === "en" ? "Regenerate" : "重新生成" }).click();
    await page.screenshot({ path: testInfo.outputPath(`keys-confirm-${lang}-light-1280.png`) });
    await page
      .getByRole("alertdialog")
      .getByRole("button", { name: lang === "en" ? "Regenerate" : "重新生成" })
      .click();
    await expect(page.getByTestId("revealed-key")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`keys-reveal-${lang}-light-1280.png`) });
    await page.getByTestId("key-reveal").getByRole("button").last().click();
  }
  for (const lang of ["en", "zh"] as const) {
    await page.context().clearCookies();
    await setPreferences(page, { lang, theme: "light" });
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const path of ["/login", "/register"]) {
      await page.goto(path);
      await page.screenshot({ path: testInfo.outputPath(`${path.slice(1)}-${lang}-light-1280.png`), fullPage: true });
    }
  }
});
