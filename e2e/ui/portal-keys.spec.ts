import { randomBytes } from "node:crypto";
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
