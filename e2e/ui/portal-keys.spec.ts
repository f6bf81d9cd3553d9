import { randomBytes } from "node:crypto";
import type { Request } from "@playwright/test";
import { MockUpstream } from "../support/mock-upstream";
import { openai } from "../support/relay-client";
import { QUOTA_PER_USD } from "../support/seed";
import { expect, listModels, signIn, test } from "./support";

// API keys as a new user meets them: create one, copy it from the once-only dialog, use it, see
// "last used" move; change its limits and watch the relay enforce them; disable it; make three
// and delete two with one confirmation. Each test works in a group of its own, with a channel
// that serves two models there.

test.describe.configure({ mode: "serial" });

const group = `ui_${randomBytes(4).toString("hex")}`;
const MODELS = ["gpt-4o", "gpt-4o-mini"];

test.beforeAll(async ({ pool }) => {
  await pool.query(
    `INSERT INTO channels (name, base_url, key, models, groups, updated_at) VALUES ($1, 'http://127.0.0.1:9', 'sk-e2e-upstream', $2, $3, now())`,
    [`ch_${group}`, MODELS, [group]],
  );
});

test("create a key, copy it once, call /v1/models with it, see last used; tighten its limits; disable it", async ({
  page,
  seed,
  context,
}) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const user = await seed.createUser({ group, quota: 5_000_000n });
  await signIn(page, user);
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();

  // the empty state says what to do next
  await expect(page.getByText("No keys yet")).toBeVisible();
  await page.getByRole("button", { name: "Create your first key" }).click();

  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await expect(dialog).toBeVisible();
  // a rejected submit shows the field error and keeps what was typed
  await dialog.getByLabel("Name", { exact: true }).fill("x".repeat(51));
  await dialog.getByRole("switch", { name: "Unlimited quota" }).click();
  await dialog.getByLabel("Remaining quota").fill("abc");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("The name is too long: at most 50 bytes (a Chinese character takes 3).")).toBeVisible();
  await expect(dialog.getByText("Enter an amount such as 10 or 2.5 (at most 6 decimals).")).toBeVisible();
  await expect(dialog.getByLabel("Remaining quota")).toHaveValue("abc");
  expect(await seed.keys(user.id)).toHaveLength(0);

  await dialog.getByLabel("Name", { exact: true }).fill("my-app");
  await dialog.getByLabel("Remaining quota").fill("2.5");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();

  // the once-only dialog
  const reveal = page.getByRole("dialog", { name: "Copy your new key" });
  await expect(reveal).toBeVisible();
  await expect(reveal.getByText("This is the only time the full key is shown.", { exact: false })).toBeVisible();
  const shown = await reveal.getByTestId("revealed-key").inputValue();
  expect(shown).toMatch(/^sk-[0-9A-Za-z]{48}$/);
  await reveal.getByRole("button", { name: "Copy my-app" }).click();
  await expect(page.getByText("Copied to the clipboard").first()).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  // a click outside and Escape do not close it; its button does
  await page.keyboard.press("Escape");
  await expect(reveal).toBeVisible();
  await reveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(reveal).toBeHidden();
  expect(await page.content()).not.toContain(copied.slice(3));

  const table = page.getByTestId("keys-table");
  const row = table.getByTestId("key-row").filter({ hasText: "my-app" });
  await expect(row.getByTestId("key-status")).toHaveText("Enabled");
  await expect(row.getByTestId("masked-key")).toHaveText(`sk-${copied.slice(3, 7)}**********${copied.slice(-4)}`);
  await expect(row).toContainText("$2.50");
  await expect(row.getByTestId("last-used")).toHaveText("Never");

  // the key works: the relay lists the models of its group (the channel snapshot may take a moment)
  await expect
    .poll(async () => (await listModels(page, copied)).models, { timeout: 45_000, intervals: [1000] })
    .toEqual(MODELS);
  await page.reload();
  await expect(table.getByTestId("key-row").filter({ hasText: "my-app" }).getByTestId("last-used")).not.toHaveText(
    "Never",
  );
  expect((await seed.keys(user.id))[0].accessed_at).not.toBeNull();

  // tighten it: one model, one IP that is not ours
  await row.getByRole("button", { name: "Actions for my-app" }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit my-app" });
  await edit.getByLabel("Model limits").click();
  await page.getByRole("checkbox", { name: "gpt-4o-mini" }).click();
  await page.keyboard.press("Escape"); // closes the picker, not the dialog
  await expect(edit.getByTestId("picked-models")).toHaveText("gpt-4o-mini");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByText("Changes saved")).toBeVisible();
  expect((await listModels(page, copied)).models).toEqual(["gpt-4o-mini"]);
  await expect(row).toContainText("gpt-4o-mini");

  await row.getByRole("button", { name: "Actions for my-app" }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  await edit.getByLabel("IP allow-list").fill("10.11.12.13\n192.0.2.0/24");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  expect(await listModels(page, copied)).toMatchObject({ status: 403, code: "ip_not_allowed" });
  await row.getByRole("button", { name: "Actions for my-app" }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  await edit.getByLabel("IP allow-list").fill("127.0.0.1");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  expect(await listModels(page, copied)).toMatchObject({ status: 200, models: ["gpt-4o-mini"] });

  // disable: a confirmation, then the relay refuses the key
  await row.getByRole("button", { name: "Actions for my-app" }).click();
  await page.getByRole("menuitem", { name: "Disable" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Disable my-app?" });
  await confirm.getByRole("button", { name: "Disable" }).click();
  await expect(confirm).toBeHidden();
  await expect(row.getByTestId("key-status")).toHaveText("Disabled");
  expect(await listModels(page, copied)).toMatchObject({ status: 401, code: "token_disabled" });

  // and back on
  await row.getByRole("button", { name: "Actions for my-app" }).click();
  await page.getByRole("menuitem", { name: "Enable" }).click();
  await expect(row.getByTestId("key-status")).toHaveText("Enabled");
  expect((await listModels(page, copied)).status).toBe(200);
});

test("create three keys at once and delete two with one confirmation; the status filter lives in the URL", async ({
  page,
  seed,
}) => {
  const user = await seed.createUser({ group });
  await signIn(page, user);
  await page.goto("/keys");
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name", { exact: true }).fill("trio");
  await dialog.getByLabel("Number of keys").fill("3");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your 3 new keys" });
  await expect(reveal.getByTestId("revealed-key")).toHaveCount(3);
  await reveal.getByRole("button", { name: "I have saved it" }).click();

  const rows = page.getByTestId("keys-table").getByTestId("key-row");
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("key-count")).toHaveText("3 of 1000 keys");
  const names = (await seed.keys(user.id)).map((k) => k.name);
  await page.getByRole("checkbox", { name: `Select ${names[1]}` }).click();
  await page.getByRole("checkbox", { name: `Select ${names[2]}` }).click();
  await expect(page.getByTestId("bulk-bar")).toContainText("2 selected");
  await page.getByRole("button", { name: "Delete selected" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete 2 keys?" });
  await expect(confirm).toContainText(names[1]);
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("2 keys deleted")).toBeVisible();
  await expect(rows).toHaveCount(1);
  expect((await seed.keys(user.id)).map((k) => k.name)).toEqual([names[0]]);

  // filter by status: disabled shows none, and says how to get back
  await page.getByRole("combobox", { name: "Filter by status" }).click();
  await page.getByRole("option", { name: /^Disabled/ }).click();
  await expect(page).toHaveURL(/\?status=disabled$/);
  await expect(page.getByText("No key matches this filter.")).toBeVisible();
  await page.reload();
  await expect(page.getByText("No key matches this filter.")).toBeVisible();
  await page.getByRole("button", { name: "Show all keys" }).click();
  await expect(rows).toHaveCount(1);
});

test("sort the table by a column (aria-sort says how); full model and IP lists on hover and focus; expired and exhausted badges, and enabling an exhausted key is refused with a toast", async ({
  page,
  seed,
}) => {
  const user = await seed.createUser({ group });
  const now = Math.floor(Date.now() / 1000);
  // created oldest first: the table lists the newest first until a column is sorted
  await seed.createKey(user.id, { name: "alpha", unlimited: false, remain: 1_500_000n });
  await seed.createKey(user.id, {
    name: "bravo",
    models: ["gpt-4o", "gpt-4o-mini", "o1-preview"],
    allowIps: "10.0.0.0/8\n192.0.2.7",
  });
  await seed.createKey(user.id, { name: "charlie", unlimited: false, remain: 250_000n });
  await seed.createKey(user.id, { name: "delta", unlimited: false, remain: 500_000n });
  // stored enabled, but past its expiry / with its budget spent: the portal says so before the relay stores it
  await seed.createKey(user.id, { name: "echo", unlimited: false, remain: 100n, expiredTime: now - 60 });
  await seed.createKey(user.id, { name: "foxtrot", unlimited: false, remain: 0n });
  await signIn(page, user);
  await page.goto("/keys");

  const table = page.getByTestId("keys-table");
  const order = () =>
    table.getByTestId("key-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key-name")));
  await expect.poll(order).toEqual(["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]);
  const remainHeader = table.getByRole("columnheader", { name: "Sort by Remaining" });
  await expect(remainHeader).not.toHaveAttribute("aria-sort");

  // remaining: smallest first, unlimited after every figure; then the other way round
  await table.getByRole("button", { name: "Sort by Remaining" }).click();
  await expect(remainHeader).toHaveAttribute("aria-sort", "ascending");
  await expect.poll(order).toEqual(["foxtrot", "echo", "charlie", "delta", "alpha", "bravo"]);
  await table.getByRole("button", { name: "Sort by Remaining" }).click();
  await expect(remainHeader).toHaveAttribute("aria-sort", "descending");
  await expect.poll(order).toEqual(["bravo", "alpha", "delta", "charlie", "echo", "foxtrot"]);

  // another column takes over
  await table.getByRole("button", { name: "Sort by Name" }).click();
  await expect(table.getByRole("columnheader", { name: "Sort by Name" })).toHaveAttribute("aria-sort", "ascending");
  await expect(remainHeader).not.toHaveAttribute("aria-sort");
  await expect.poll(order).toEqual(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]);
  await table.getByRole("button", { name: "Sort by Name" }).click();
  await expect.poll(order).toEqual(["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]);

  // the badges
  const byName = (name: string) => table.locator(`[data-testid="key-row"][data-key-name="${name}"]`);
  await expect(byName("echo").getByTestId("key-status")).toHaveText("Expired");
  await expect(byName("foxtrot").getByTestId("key-status")).toHaveText("Exhausted");
  await expect(byName("alpha").getByTestId("key-status")).toHaveText("Enabled");
  await expect(byName("charlie")).toContainText("$0.50");

  // a shortened list: the whole of it in the tooltip, on hover and on keyboard focus
  const models = byName("bravo").getByTestId("key-models");
  await expect(models).toHaveText("3 models");
  await models.hover();
  await expect(page.getByRole("tooltip")).toContainText("o1-preview");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("tooltip")).toBeHidden();
  const ips = byName("bravo").getByTestId("key-ips");
  await expect(ips).toHaveText("2 entries");
  await ips.focus();
  await expect(page.getByRole("tooltip")).toContainText("192.0.2.7");
  await expect(page.getByRole("tooltip")).toContainText("10.0.0.0/8");
  await page.keyboard.press("Escape");

  // enabling an exhausted or expired key: refused, with the reason in a toast, nothing changed
  await byName("foxtrot").getByRole("button", { name: "Actions for foxtrot" }).click();
  await page.getByRole("menuitem", { name: "Enable" }).click();
  await expect(page.getByText("This key's quota is used up and it cannot be enabled.", { exact: false })).toBeVisible();
  await byName("echo").getByRole("button", { name: "Actions for echo" }).click();
  await page.getByRole("menuitem", { name: "Enable" }).click();
  await expect(page.getByText("This key has expired and cannot be enabled.", { exact: false })).toBeVisible();
  await expect(byName("foxtrot").getByTestId("key-status")).toHaveText("Exhausted");
  await expect(byName("echo").getByTestId("key-status")).toHaveText("Expired");
});

test("a list that fails to load shows an error with a retry, and the retry brings it back", async ({ page, seed }) => {
  const user = await seed.createUser({ group });
  await seed.createKey(user.id, { name: "flaky" });
  await signIn(page, user);
  await page.goto("/keys");
  const row = page.getByTestId("keys-table").locator('[data-testid="key-row"][data-key-name="flaky"]');
  await expect(row.getByTestId("key-status")).toHaveText("Enabled");

  // the list is re-read (a server action without arguments) after a change: make that read fail
  const isListRead = (r: Request) =>
    r.method() === "POST" && r.headers()["next-action"] !== undefined && r.postData() === "[{}]";
  await page.route("**/keys", (route) => (isListRead(route.request()) ? route.abort("failed") : route.fallback()));
  await row.getByRole("button", { name: "Actions for flaky" }).click();
  await page.getByRole("menuitem", { name: "Disable" }).click();
  await page.getByRole("alertdialog", { name: "Disable flaky?" }).getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Key disabled")).toBeVisible();
  const failed = page.getByRole("main").getByRole("alert");
  await expect(failed).toContainText("This could not be loaded. Check your connection and try again.");
  await expect(page.getByTestId("keys-table")).toBeHidden();

  // the connection is back: the retry reads the list again
  await page.unroute("**/keys");
  await failed.getByRole("button", { name: "Try again" }).click();
  await expect(failed).toBeHidden();
  await expect(row.getByTestId("key-status")).toHaveText("Disabled");
});

test("regenerate: the new key is shown once and copied, the old one stops working at once", async ({
  page,
  seed,
  context,
}) => {
  test.setTimeout(90_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const user = await seed.createUser({ group });
  const old = await seed.createKey(user.id, { name: "rotate-me" });
  await expect
    .poll(async () => (await listModels(page, old.key)).models, { timeout: 45_000, intervals: [1000] })
    .toEqual(MODELS);
  await signIn(page, user);
  await page.goto("/keys");
  const row = page.getByTestId("keys-table").locator('[data-testid="key-row"][data-key-name="rotate-me"]');
  const maskedBefore = await row.getByTestId("masked-key").textContent();

  await row.getByRole("button", { name: "Actions for rotate-me" }).click();
  await page.getByRole("menuitem", { name: "Regenerate" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Regenerate rotate-me?" });
  await confirm.getByRole("button", { name: "Regenerate" }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your new key" });
  await expect(reveal).toBeVisible();
  await expect(reveal.getByText("This is the only time the full key is shown.", { exact: false })).toBeVisible();
  const shown = await reveal.getByTestId("revealed-key").inputValue();
  expect(shown).toMatch(/^sk-[0-9A-Za-z]{48}$/);
  expect(shown).not.toBe(old.key);
  await reveal.getByRole("button", { name: "Copy rotate-me" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  await reveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(reveal).toBeHidden();
  // only the masked form is left, and it is the new key's
  expect(await page.content()).not.toContain(copied.slice(3));
  await expect(row.getByTestId("masked-key")).toHaveText(`sk-${copied.slice(3, 7)}**********${copied.slice(-4)}`);
  expect(await row.getByTestId("masked-key").textContent()).not.toBe(maskedBefore);

  expect(await listModels(page, old.key)).toMatchObject({ status: 401, code: "invalid_api_key" });
  expect(await listModels(page, copied)).toMatchObject({ status: 200, models: MODELS });
  // the same key row: its name, and one key
  expect((await seed.keys(user.id)).map((k) => k.name)).toEqual(["rotate-me"]);
});

test("a remaining quota set in the edit dialog is enforced by the relay", async ({ page, seed }) => {
  test.setTimeout(90_000);
  const mock = await MockUpstream.start();
  const quotaGroup = `${group}_q`;
  try {
    await seed.createChannel({ baseUrl: `${mock.url}/v1`, models: ["gpt-4o"], groups: [quotaGroup] });
    const user = await seed.createUser({ group: quotaGroup, quota: 10n * QUOTA_PER_USD });
    const key = await seed.createKey(user.id, { name: "budget" });
    const ask = () =>
      openai(key.key).chat.completions.create({
        model: "gpt-4o",
        max_tokens: 1000,
        messages: [{ role: "user", content: "hi" }],
      });
    await signIn(page, user);
    await page.goto("/keys");
    const row = page.getByTestId("keys-table").locator('[data-testid="key-row"][data-key-name="budget"]');
    await expect(row).toContainText("Unlimited");

    const edit = page.getByRole("dialog", { name: "Edit budget" });
    const setRemaining = async (amount: string) => {
      await row.getByRole("button", { name: "Actions for budget" }).click();
      await page.getByRole("menuitem", { name: "Edit" }).click();
      const unlimited = edit.getByRole("switch", { name: "Unlimited quota" });
      if ((await unlimited.getAttribute("aria-checked")) === "true") await unlimited.click();
      await edit.getByLabel("Remaining quota").fill(amount);
      await edit.getByRole("button", { name: "Save changes" }).click();
      await expect(edit).toBeHidden();
    };

    // $0.001 = 500 quota: less than the request may cost (up to 1000 completion tokens of gpt-4o)
    await setRemaining("0.001");
    await expect(row).toContainText("$0.001");
    await expect(ask()).rejects.toMatchObject({ status: 403, code: "pre_consume_token_quota_failed" });
    expect(mock.served).toBe(0);

    // with a budget that covers it, the same call goes through
    await setRemaining("1");
    const done = await ask();
    expect(done.choices[0].message.content).toBe("Hello from the mock upstream.");
    expect(mock.served).toBe(1);
  } finally {
    await mock.close();
  }
});
