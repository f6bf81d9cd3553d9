import { createHmac } from "node:crypto";
import { E2E_RESEND_PORT } from "../global-setup";
import { startReceiver } from "../support/receivers";
import { expect, setPreferences, signIn, test } from "./support";

// The settings page as a person uses it: new-api's field errors (nothing saved), a save
// that merges into settings the page does not show, a "send test" button for every saved channel
// (webhook, Bark, Gotify, e-mail through a fake Resend API) through the real outbox path to
// receivers on 127.0.0.1, the delivery history, the account toggles; screenshots in both
// languages at desktop and phone width.

const setting = async (pool: import("pg").Pool, id: number) =>
  (await pool.query<{ setting: Record<string, unknown> }>("SELECT setting FROM users WHERE id = $1", [id])).rows[0]
    .setting;

test("notification settings: validation, merge save, send test, history", async ({ page, seed, pool }, testInfo) => {
  test.setTimeout(120_000);
  const hook = await startReceiver();
  const resend = await startReceiver({
    port: E2E_RESEND_PORT,
    respond: () => ({ status: 200, body: JSON.stringify({ id: "email_1" }) }),
  });
  // the server reads options through a cache of at most 10 s: the sender is seen well before the e-mail test
  await seed.setOption("NotifyEmailFrom", "Tollgate Alerts <alerts@tollgate.test>");
  const senderSetAt = Date.now();
  try {
    const user = await seed.createUser({ quota: 3_000_000n });
    // fields another page (or new-api) keeps in the same JSON: a save must never drop them
    const preset = { sidebar_modules: '{"chat":false}', billing_preference: "wallet_first", record_ip_log: true };
    await pool.query("UPDATE users SET setting = $2::jsonb WHERE id = $1", [user.id, JSON.stringify(preset)]);
    await signIn(page, user);
    await page.goto("/settings");
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(page.getByText("No notifications yet.")).toBeVisible();
    await expect(page.getByTestId("toggle-recordIpLog")).toBeChecked();

    // bad input: new-api's validation messages, next to their fields, and nothing saved
    const form = page.getByTestId("notify-form");
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "Webhook" }).click();
    await form.getByLabel("Webhook URL").fill("ftp://example.com/hook");
    await form.getByLabel("Low-balance threshold").fill("0");
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(form.getByText("URL must start with http:// or https://")).toBeVisible();
    await expect(form.getByText("Warning threshold must be greater than 0")).toBeVisible();
    await form.getByLabel("Webhook URL").fill("");
    await form.getByLabel("Low-balance threshold").fill("1.5");
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(form.getByText("Webhook URL cannot be empty")).toBeVisible();
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "Bark" }).click();
    await form.getByLabel("Bark URL").fill("https://api.day.app/mykey");
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(form.getByText("The Bark URL must contain {{title}} or {{content}}")).toBeVisible();
    expect(await setting(pool, user.id)).toEqual(preset);
    await page.screenshot({ path: testInfo.outputPath("settings-errors-en-1280.png"), fullPage: true });

    // a good save: merged into what was there
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "Webhook" }).click();
    await form.getByLabel("Webhook URL").fill(`${hook.url}/hook`);
    await form.getByLabel("Webhook secret").fill("ui-secret-123456");
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(page.getByText("Settings saved")).toBeVisible();
    expect(await setting(pool, user.id)).toEqual({
      ...preset,
      notify_type: "webhook",
      webhook_url: `${hook.url}/hook`,
      webhook_secret: "ui-secret-123456",
      quota_warning_threshold: 750_000,
      language: "en",
    });
    // the secret is never shown again, only that one is saved
    await expect(form.getByText("A secret is saved (••••3456). Leave empty to keep it.")).toBeVisible();
    await expect(form.getByLabel("Webhook secret")).toHaveValue("");

    // send test: delivered through the outbox, signed, and listed in the history
    const tests = page.getByTestId("test-channels");
    await expect(tests.getByRole("button")).toHaveText(["Send test (Webhook)"]);
    await form.getByRole("button", { name: "Send test (Webhook)" }).click();
    await expect(page.getByTestId("test-result")).toHaveText("Test notification delivered (Webhook)");
    expect(hook.got).toHaveLength(1);
    const sig = createHmac("sha256", "ui-secret-123456").update(hook.got[0].body).digest("hex");
    expect(hook.got[0].headers["x-webhook-signature"]).toBe(sig);
    expect(JSON.parse(hook.got[0].body)).toMatchObject({ type: "test", title: "Test notification" });
    const row = page.getByTestId("history-table").getByTestId("history-row").first();
    await expect(row).toContainText("Test");
    await expect(row).toContainText("Webhook");
    await expect(row.getByTestId("notification-status")).toHaveText("Delivered");
    await expect(row).toContainText("HTTP 200");

    // every channel saved gets its own button, whichever one the alerts use
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "Bark" }).click();
    await form.getByLabel("Bark URL").fill(`${hook.url}/bark/{{title}}/{{content}}`);
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(tests.getByRole("button")).toHaveText(["Send test (Webhook)", "Send test (Bark)"]);
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "Gotify" }).click();
    await form.getByLabel("Gotify URL").fill(`${hook.url}/gotify`);
    await form.getByLabel("Gotify token").fill("gotify-token");
    await form.getByLabel("Gotify priority").fill("8");
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(tests.getByRole("button")).toHaveText([
      "Send test (Webhook)",
      "Send test (Bark)",
      "Send test (Gotify)",
    ]);
    await page.getByTestId("notify-type").click();
    await page.getByRole("option", { name: "E-mail" }).click();
    await form.getByLabel("Notification e-mail").fill("me@example.com");
    // unsaved changes: the tests wait for the save
    await expect(tests.getByRole("button", { name: "Send test (Bark)" })).toBeDisabled();
    await form.getByRole("button", { name: "Save notification settings" }).click();
    await expect(tests.getByRole("button")).toHaveText([
      "Send test (E-mail)",
      "Send test (Webhook)",
      "Send test (Bark)",
      "Send test (Gotify)",
    ]);
    expect(await setting(pool, user.id)).toMatchObject({
      ...preset,
      notify_type: "email",
      notification_email: "me@example.com",
      webhook_url: `${hook.url}/hook`,
      bark_url: `${hook.url}/bark/{{title}}/{{content}}`,
      gotify_url: `${hook.url}/gotify`,
      gotify_priority: 8,
    });

    await tests.getByRole("button", { name: "Send test (Bark)" }).click();
    await expect(page.getByTestId("test-result")).toHaveText("Test notification delivered (Bark)");
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1].method).toBe("GET");
    expect(decodeURIComponent(hook.got[1].path)).toMatch(/^\/bark\/Test notification\/Test notification: /);
    const barkId = hook.got[1].headers["x-tollgate-notification-id"];
    expect(barkId).toMatch(/^ntf_\d+$/);
    await expect(page.getByTestId("history-row").first()).toContainText("Bark");

    await tests.getByRole("button", { name: "Send test (Gotify)" }).click();
    await expect(page.getByTestId("test-result")).toHaveText("Test notification delivered (Gotify)");
    expect(hook.got).toHaveLength(3);
    expect(hook.got[2].path).toBe("/gotify/message?token=gotify-token");
    const gotify = JSON.parse(hook.got[2].body);
    expect(gotify).toMatchObject({
      title: "Test notification",
      priority: 8,
      extras: { "tollgate::notification": { type: "test" } },
    });
    expect(gotify.extras["tollgate::notification"].id).not.toBe(barkId);

    await page.waitForTimeout(Math.max(0, senderSetAt + 10_500 - Date.now()));
    await tests.getByRole("button", { name: "Send test (E-mail)" }).click();
    await expect(page.getByTestId("test-result")).toHaveText("Test notification delivered (E-mail)");
    expect(resend.got).toHaveLength(1);
    expect(JSON.parse(resend.got[0].body)).toMatchObject({
      from: "Tollgate Alerts <alerts@tollgate.test>",
      to: ["me@example.com"],
      subject: "Test notification",
    });
    await expect(page.getByTestId("history-row").first()).toContainText("E-mail");
    await expect(page.getByTestId("history-row").first().getByTestId("notification-status")).toHaveText("Delivered");

    // a toggle saves only itself
    await page.getByTestId("toggle-acceptUnpricedModels").click();
    await expect(page.getByText("Saved", { exact: true })).toBeVisible();
    await expect.poll(async () => (await setting(pool, user.id)).accept_unset_model_ratio_model).toBe(true);
    expect(await setting(pool, user.id)).toMatchObject({ ...preset, webhook_secret: "ui-secret-123456" });

    // a failing receiver: the error is shown in the history
    await pool.query(
      `UPDATE users SET setting = setting || '{"webhook_url": "http://169.254.169.254/hook"}'::jsonb WHERE id = $1`,
      [user.id],
    );
    await page.reload();
    await form.getByRole("button", { name: "Send test (Webhook)" }).click();
    await expect(page.getByTestId("test-result")).toHaveText(
      "The test (Webhook) was not delivered: Refused: 169.254.169.254 is a cloud metadata address",
    );
    await expect(page.getByTestId("history-row").first().getByTestId("notification-status")).toHaveText("Failed");
    await expect(page.getByTestId("history-row").first()).toContainText("cloud metadata address");

    for (const lang of ["en", "zh"] as const) {
      await setPreferences(page, { lang });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
        await page.goto("/settings");
        await expect(page.getByRole("main").getByRole("heading", { level: 1 })).toBeVisible();
        await page.waitForLoadState("networkidle");
        const text = await page.getByRole("main").innerText();
        expect(text, lang).not.toMatch(/\b(settings|common|error|field)\.[a-zA-Z]+/);
        await page.screenshot({ path: testInfo.outputPath(`settings-${lang}-${width}.png`), fullPage: true });
      }
    }
    // the field errors in Chinese
    await page.setViewportSize({ width: 1280, height: 800 });
    await form.getByLabel("余额提醒阈值").fill("-2");
    await form.getByRole("button", { name: "保存通知设置" }).click();
    await expect(form.getByText("提醒阈值必须大于 0")).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("settings-errors-zh-1280.png"), fullPage: true });
  } finally {
    await seed.deleteOption("NotifyEmailFrom");
    await Promise.all([hook.close(), resend.close()]);
  }
});
