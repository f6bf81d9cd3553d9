import { expect, setPreferences, signIn, test, uniqueName } from "./support";

// A screenshot of each page of the admin console built with the users page (overview, users with
// its edit and balance dialogs, audit trail), in both languages, at desktop and phone width, with
// data on them, saved under test-results/ for a person to look at. It also fails when a page
// shows a dictionary key instead of its text.

test("overview, users (list, edit, balance) and audit, zh and en, 1280 and 390 px", async ({
  page,
  seed,
  pool,
}, testInfo) => {
  test.setTimeout(240_000);
  const root = await seed.createUser({ username: uniqueName("root"), role: 100 });
  const people = [];
  for (const [name, quota, role] of [
    ["alice", 25_000_000n, 1],
    ["bob", 3_500_000n, 1],
    ["carol", 0n, 10],
    ["dave", 120_000_000n, 1],
  ] as const) {
    people.push(await seed.createUser({ username: uniqueName(name), quota, role }));
  }
  await pool.query(
    "UPDATE users SET last_login_at = now() - interval '2 hours', email = username || '@example.com' WHERE id = ANY($1)",
    [people.map((p) => p.id)],
  );
  // a week of usage in the rollups (as settle keeps them), and an error of a channel an hour ago
  const channel = await seed.createChannel({ name: uniqueName("openai"), models: ["gpt-4o"] });
  for (const [i, model, quota, n] of [
    [0, "gpt-4o", 4_200_000n, 120],
    [0, "gpt-4o-mini", 380_000n, 640],
    [1, "claude-3-5-sonnet", 2_900_000n, 85],
    [3, "text-embedding-3-small", 12_000n, 2_300],
  ] as const) {
    await pool.query(
      `INSERT INTO usage_totals_daily (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens, completion_tokens)
       VALUES (date_trunc('day', now(), 'UTC') - ($1 || ' days')::interval, $2, $3, 'default', $4::bigint, $5::bigint, $4::bigint * 900, $4::bigint * 200)
       ON CONFLICT DO NOTHING`,
      [String(i), model, channel, n, String(quota)],
    );
    await pool.query(
      `INSERT INTO usage_rollups_daily (user_id, bucket, model_name, token_id, "group", request_count, quota, prompt_tokens, completion_tokens)
       VALUES ($1, date_trunc('day', now(), 'UTC') - ($2 || ' days')::interval, $3, 0, 'default', $4::bigint, $5::bigint, $4::bigint * 900, $4::bigint * 200)
       ON CONFLICT DO NOTHING`,
      [people[i % people.length].id, String(i), model, n, String(quota)],
    );
  }
  await pool.query(
    `INSERT INTO logs (user_id, type, username, channel_id, model_name, content, created_at)
     VALUES ($1, 5, $2, $3, 'gpt-4o', 'upstream 502: Bad Gateway', now() - interval '10 minutes')`,
    [people[0].id, people[0].username, channel],
  );

  await signIn(page, root);
  // an audit trail with a little of everything: an edit and a balance change with a reason
  await page.goto(`/admin/users?q=${people[1].username}`);
  const row = page.getByTestId("users-table").getByTestId("user-row").first();
  await row.getByTestId("user-actions").click();
  await page.getByRole("menuitem", { name: "Change balance" }).click();
  await page.getByRole("dialog").getByLabel("Amount").fill("20");
  await page.getByRole("dialog").getByLabel("Reason").fill("Invoice 2026-114 paid");
  await page.getByRole("dialog").getByRole("button", { name: "Add to balance" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await row.getByTestId("user-actions").click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  await page.getByRole("dialog").getByLabel("Remark").fill("Reseller, monthly invoice");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();

  const shot = (name: string, full = true) =>
    page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: full });
  const noKeys = async (what: string) => {
    const text = await page.getByRole("main").innerText();
    expect(text, what).not.toMatch(/\b(adminUsers|adminOverview|adminAudit|common|error|field|nav)\.[a-zA-Z]+/);
  };
  for (const lang of ["en", "zh"] as const) {
    await setPreferences(page, { lang, theme: "light" });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      for (const [name, url] of [
        ["overview", "/admin"],
        ["users", "/admin/users"],
        ["audit", "/admin/audit"],
      ] as const) {
        await page.goto(url);
        await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
        await page.waitForLoadState("networkidle");
        await noKeys(`${url} ${lang}`);
        await shot(`admin-${name}-${lang}-${width}`);
      }
      // the dialogs, on a user's row
      await page.goto(`/admin/users?q=${people[0].username}`);
      const actions = page.getByTestId(width === 390 ? "users-cards" : "users-table").getByTestId("user-actions");
      await actions.first().click();
      await page.getByRole("menuitem", { name: lang === "en" ? "Edit" : "编辑" }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await shot(`admin-users-edit-${lang}-${width}`, false);
      await page.keyboard.press("Escape");
      await actions.first().click();
      await page.getByRole("menuitem", { name: lang === "en" ? "Change balance" : "调整余额" }).click();
      await page.getByRole("dialog").getByRole("textbox").first().fill("5");
      await shot(`admin-users-quota-${lang}-${width}`, false);
      await page.keyboard.press("Escape");
    }
  }
  await setPreferences(page, { lang: "en", theme: "dark" });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/admin");
  await page.waitForLoadState("networkidle");
  await shot("admin-overview-en-dark-1280");
});
