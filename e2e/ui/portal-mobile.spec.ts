import { expect, signIn, test } from "./support";

// The portal on a phone (390 px): navigation through the drawer, keys as cards with their
// actions, the dialogs as sheets, the wallet's forms; nothing wider than the screen.

test.use({ viewport: { width: 390, height: 844 } });

async function noSideScroll(page: import("@playwright/test").Page) {
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(widths.doc).toBeLessThanOrEqual(widths.view);
}

test("at 390 px: drawer navigation, key cards, create/delete through sheets, redeem", async ({ page, seed }) => {
  const user = await seed.createUser();
  const code = await seed.createRedemption(500_000n);
  await signIn(page, user);
  await noSideScroll(page);

  await page.getByRole("button", { name: "Open menu" }).click();
  const drawer = page.getByRole("dialog", { name: "Main navigation" });
  await expect(drawer).toBeVisible();
  await drawer.getByRole("link", { name: "API keys" }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await noSideScroll(page);

  await page.getByRole("button", { name: "Create your first key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name", { exact: true }).fill("phone");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your new key" });
  await expect(reveal.getByTestId("revealed-key")).toHaveValue(/^sk-/);
  await reveal.getByRole("button", { name: "I have saved it" }).click();

  const cards = page.getByTestId("keys-cards");
  await expect(cards.getByTestId("key-card")).toHaveCount(1);
  await expect(page.getByTestId("keys-table")).toBeHidden();
  await expect(cards.getByTestId("key-card").first()).toContainText("Unlimited");
  await noSideScroll(page);

  await cards.getByRole("button", { name: "Actions for phone" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("alertdialog", { name: "Delete phone?" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("No keys yet")).toBeVisible();

  await page.goto("/wallet");
  await page.getByLabel("Redemption code").fill(code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByTestId("wallet-balance")).toHaveText("$1.00");
  await noSideScroll(page);
});
