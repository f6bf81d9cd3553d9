import { E2E_BASE_URL } from "../global-setup";
import { MockUpstream } from "../support/mock-upstream";
import { expect, signIn, test, uniqueName } from "./support";

// The admin's redemption codes and channels pages as an operator uses them.

test("a redemption batch created in the UI is redeemed by a user, and the list says who", async ({
  page,
  seed,
  browser,
}) => {
  const admin = await seed.createUser({ role: 10 });
  const user = await seed.createUser();
  const name = uniqueName("batch").slice(0, 16);
  await signIn(page, admin);
  await page.goto("/admin/redemptions");
  await expect(page.getByRole("heading", { name: "Redemption codes", level: 1 })).toBeVisible();

  await page.getByRole("main").getByRole("button", { name: "Create codes" }).first().click();
  const form = page.getByRole("dialog", { name: "Create redemption codes" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Number of codes").fill("101");
  await form.getByLabel("Amount").fill("0");
  await form.getByRole("button", { name: "Create", exact: true }).click();
  await expect(form.getByText("Create 1 to 100 codes at once.")).toBeVisible();
  await form.getByLabel("Number of codes").fill("2");
  await form.getByRole("button", { name: "Create", exact: true }).click();
  await expect(form.getByText("Enter an amount greater than zero.")).toBeVisible();
  await form.getByLabel("Amount").fill("1.5");
  await form.getByRole("button", { name: "Create", exact: true }).click();

  const reveal = page.getByTestId("redemption-reveal");
  await expect(reveal.getByRole("heading", { name: "2 codes created" })).toBeVisible();
  await expect(reveal).toContainText("Each is worth $1.50.");
  const codes = (await reveal.getByTestId("revealed-codes").inputValue()).split("\n");
  expect(codes).toHaveLength(2);
  for (const c of codes) expect(c).toMatch(/^[0-9a-f]{32}$/);
  await reveal.getByRole("button", { name: "I have saved them" }).click();
  await expect(reveal).toBeHidden();

  // the list: two unused codes of the batch, never in full
  await page.getByLabel("Name starts with…").fill(name);
  await expect(page).toHaveURL(new RegExp(`name=${name}`));
  const rows = page.getByTestId("redemption-row");
  await expect(rows).toHaveCount(2);
  const inState = (state: string) => page.locator(`[data-testid=redemption-row][data-state=${state}]`);
  await expect(inState("unused")).toHaveCount(2);
  expect(await page.getByRole("main").innerText()).not.toContain(codes[0]);

  // the user redeems one in their wallet
  const ctx = await browser.newContext({ baseURL: E2E_BASE_URL });
  const userPage = await ctx.newPage();
  await signIn(userPage, user);
  await userPage.goto("/wallet");
  await userPage.getByLabel("Redemption code").fill(codes[0]);
  await userPage.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(userPage.getByTestId("wallet-balance")).toHaveText("$1.50");
  await ctx.close();

  await page.reload();
  await expect(inState("used")).toHaveCount(1);
  await expect(inState("used").getByTestId("redeemed-by")).toContainText(user.username);
  await page.getByTestId("state-filter").click();
  await page.getByRole("option", { name: "Used", exact: true }).click();
  await expect(page).toHaveURL(/state=used/);
  await expect(rows).toHaveCount(1);

  // disable the other one: it cannot be redeemed
  await page.getByTestId("state-filter").click();
  await page.getByRole("option", { name: "Unused", exact: true }).click();
  await expect(rows).toHaveCount(1);
  await rows.getByRole("button", { name: "Disable" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Code disabled.")).toBeVisible();
  await expect(rows).toHaveCount(0);
  const { rows: db } = await seed.pool.query<{ status: number }>("SELECT status FROM redemptions WHERE key = $1", [
    codes[1],
  ]);
  expect(db[0].status).toBe(2);
});

test("the channel test button shows the latency, then the upstream's error", async ({ page, seed }) => {
  const mock = await MockUpstream.start();
  try {
    const admin = await seed.createUser({ role: 10 });
    const name = uniqueName("chan");
    await signIn(page, admin);
    await page.goto("/admin/channels");
    await page.getByRole("button", { name: "Add channel" }).first().click();
    const form = page.getByRole("dialog", { name: "Add a channel" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Base URL").fill("ftp://example.com");
    await form.getByLabel("Key", { exact: true }).fill("sk-e2e-channel-secret-key-0001");
    await form.getByLabel("Models", { exact: true }).fill("gpt-4o-mini");
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(form.getByText("Base URL must start with http:// or https://")).toBeVisible();
    await form.getByLabel("Base URL").fill(`${mock.url}/v1`);
    await form.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByText("Channel added.")).toBeVisible();

    const row = page.locator(`[data-testid=channel-row][data-channel-name="${name}"]`);
    await expect(row).toContainText("Enabled");
    await expect(page.getByRole("main")).not.toContainText("sk-e2e-channel-secret-key-0001");
    await row.getByTestId("channel-test").click();
    await expect(page.getByText(new RegExp(`^${name}: models in \\d+ ms, one-token chat in \\d+ ms$`))).toBeVisible();
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models", "POST /v1/chat/completions"]);

    mock.set({ failNext: 1, failStatus: 401 });
    await row.getByTestId("channel-test").click();
    await expect(
      page.getByText(new RegExp(`^${name}: models failed after \\d+ ms — HTTP 401: Upstream exploded`)),
    ).toBeVisible();
    await expect(row.getByTestId("channel-last-error")).toContainText("test (models): HTTP 401");

    // edit: the key stays unless a new one is typed
    await row.getByRole("button", { name: `Actions for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    const edit = page.getByRole("dialog", { name: `Edit ${name}` });
    await expect(edit.getByLabel("Key", { exact: true })).toHaveValue("");
    await edit.getByLabel("Priority").fill("7");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Channel saved.")).toBeVisible();
    const { rows } = await seed.pool.query<{ key: string; priority: number }>(
      "SELECT key, priority FROM channels WHERE name = $1",
      [name],
    );
    expect(rows[0]).toEqual({ key: "sk-e2e-channel-secret-key-0001", priority: 7 });
  } finally {
    await mock.close();
  }
});
