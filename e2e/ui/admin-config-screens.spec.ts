import { expect, setPreferences, signIn, test, uniqueName } from "./support";

// Screenshots of the admin's channels, redemption codes and settings pages (with their dialogs and
// each settings section), in both languages, light and dark, at 1280 and 390 px, under
// test-results/ for a person to look at. Fails when a page shows a dictionary key.

test("channels, redemption codes and settings, zh and en, 1280 and 390 px", async ({ page, seed }, testInfo) => {
  test.setTimeout(300_000);
  const admin = await seed.createUser({ role: 10 });
  const used = await seed.createUser();
  for (const [i, status] of [1, 2, 1].entries()) {
    const id = await seed.createChannel({
      name: ["openai-main", "backup-east", "local-llama"][i],
      baseUrl: ["https://api.openai.com/v1", "http://10.0.0.12:8000/v1", "http://127.0.0.1:11434"][i],
      models: [["gpt-4o", "gpt-4o-mini", "o3-mini"], ["gpt-4o-mini"], ["llama3"]][i],
      groups: [["default", "vip"], ["default"], ["svip"]][i],
      priority: [10, 0, 5][i],
    });
    await seed.pool.query(
      "UPDATE channels SET status = $2, used_quota = $3, last_error = $4::text, last_error_at = CASE WHEN $4::text = '' THEN NULL ELSE now() - interval '5 minutes' END WHERE id = $1",
      [id, status, String([123_456_789, 0, 4_321][i]), ["", "HTTP 502", "test (models): ECONNREFUSED"][i]],
    );
  }
  const batch = uniqueName("promo").slice(0, 12);
  for (const quota of [2_500_000n, 2_500_000n, 500_000n]) {
    const key = await seed.createRedemption(quota);
    await seed.pool.query("UPDATE redemptions SET name = $2 WHERE key = $1", [key, batch]);
  }
  await seed.pool.query(
    "UPDATE redemptions SET status = 3, used_user_id = $1, redeemed_at = now() - interval '2 hours' WHERE id = (SELECT min(id) FROM redemptions WHERE name = $2)",
    [used.id, batch],
  );
  await signIn(page, admin);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  const checkText = async (what: string) => {
    const text = await page.getByRole("main").innerText();
    expect(text, what).not.toMatch(/\b(channels|redemptions|sysSettings|common|error|field)\.[a-zA-Z]+/);
  };

  for (const lang of ["en", "zh"] as const) {
    for (const theme of ["light", "dark"] as const) {
      await setPreferences(page, { lang, theme });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        const tag = `${lang}-${theme}-${width}`;
        for (const path of ["/admin/channels", "/admin/redemptions", "/admin/settings"]) {
          await page.goto(path);
          await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
          await page.waitForLoadState("networkidle");
          await checkText(`${path} ${tag}`);
          await shot(`${path.slice(7)}-${tag}`);
        }
        if (theme === "dark") continue;
        // the dialogs and the sections, in light only
        await page.goto("/admin/channels");
        await page
          .getByRole("button", { name: lang === "en" ? "Actions for openai-main" : "openai-main 的操作" })
          .filter({ visible: true })
          .first()
          .click();
        await page.getByRole("menuitem", { name: lang === "en" ? "Edit" : "编辑" }).click();
        await expect(page.getByTestId("channel-form")).toBeVisible();
        await shot(`channels-edit-${tag}`);
        await page.keyboard.press("Escape");

        await page.goto("/admin/redemptions");
        await page
          .getByRole("main")
          .getByRole("button", { name: lang === "en" ? "Create codes" : "生成兑换码" })
          .first()
          .click();
        const form = page.getByTestId("redemption-form");
        await form.locator("input").nth(0).fill("spring");
        await form.locator("input").nth(1).fill("3");
        await form.locator("input").nth(2).fill("5");
        await shot(`redemptions-batch-form-${tag}`);
        await form.getByRole("button", { name: lang === "en" ? "Create" : "生成", exact: true }).click();
        await expect(page.getByTestId("redemption-reveal")).toBeVisible();
        await shot(`redemptions-batch-codes-${tag}`);
        await page.getByTestId("redemption-reveal").getByRole("button").last().click();

        await page.goto("/admin/settings");
        for (const section of ["quota", "billing", "pricing", "display", "network"]) {
          const card = page.getByTestId(`settings-${section}`);
          await card.scrollIntoViewIfNeeded();
          await card.screenshot({ path: testInfo.outputPath(`settings-${section}-${tag}.png`) });
        }
        // a JSON error on its line
        const ratio = page.getByTestId("settings-pricing").locator("textarea").first();
        await ratio.fill('{\n  "gpt-4o": 1.25,\n  "gpt-4o-mini": -1\n}');
        await page
          .getByTestId("settings-pricing")
          .getByRole("button", { name: lang === "en" ? "Save" : "保存" })
          .click();
        // in the page's language
        const lineError = lang === "en" ? "Line 3: gpt-4o-mini must be ≥ 0" : "第 3 行：gpt-4o-mini 必须 ≥ 0";
        await expect(page.getByTestId("settings-pricing").getByText(lineError)).toBeVisible();
        await page.getByTestId("pricing-preview").scrollIntoViewIfNeeded();
        await page
          .getByTestId("settings-pricing")
          .screenshot({ path: testInfo.outputPath(`settings-pricing-error-${tag}.png`) });
        await page
          .getByTestId("pricing-preview")
          .screenshot({ path: testInfo.outputPath(`settings-preview-${tag}.png`) });
      }
    }
  }
});

test("the sender of alert e-mails is set on the settings page: an address or Name <address>", async ({
  page,
  seed,
  pool,
}, testInfo) => {
  const admin = await seed.createUser({ role: 10 });
  await signIn(page, admin);
  await page.goto("/admin/settings");
  const card = page.getByTestId("settings-display");
  const field = card.getByLabel("Notification e-mail sender");
  await expect(field).toHaveValue("");
  await field.fill("alerts@");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.getByText('must be an e-mail address or "Name <address>"')).toBeVisible();
  const stored = async () =>
    (await pool.query<{ value: string }>("SELECT value FROM options WHERE key = 'NotifyEmailFrom'")).rows[0]?.value;
  expect(await stored()).toBeUndefined();
  await card.screenshot({ path: testInfo.outputPath("settings-display-sender-error-en-1280.png") });
  await field.fill("Tollgate Alerts <alerts@relay.example>");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  expect(await stored()).toBe(JSON.stringify("Tollgate Alerts <alerts@relay.example>"));
  await page.reload();
  await expect(page.getByTestId("settings-display").getByLabel("Notification e-mail sender")).toHaveValue(
    "Tollgate Alerts <alerts@relay.example>",
  );
  await seed.deleteOption("NotifyEmailFrom");
});
