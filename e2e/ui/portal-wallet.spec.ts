import type { Request } from "@playwright/test";
import { expect, signIn, test } from "./support";

// The wallet as a user meets it: redeem a code and see the balance move, try it again and be told
// why not, move invitation rewards to the balance; every credit shows up in the history.

test("redeem a code, see the balance change; the same code again fails with its reason", async ({ page, seed }) => {
  const user = await seed.createUser();
  const code = await seed.createRedemption(1_250_000n); // $2.50
  await signIn(page, user);
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Wallet" }).click();
  await expect(page.getByRole("heading", { name: "Wallet" })).toBeVisible();
  await expect(page.getByTestId("wallet-balance")).toHaveText("$0.00");
  await expect(page.getByText("Nothing yet. Redeem a code", { exact: false })).toBeVisible();

  await page.getByLabel("Redemption code").fill(code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByTestId("redeem-success")).toHaveText("$2.50 added to your balance.");
  await expect(page.getByTestId("wallet-balance")).toHaveText("$2.50");
  await expect(page.getByLabel("Redemption code")).toHaveValue("");
  const history = page.getByTestId("credit-history");
  await expect(history.getByTestId("credit-row")).toHaveCount(1);
  await expect(history.getByTestId("credit-row").first()).toContainText("Redemption code");
  await expect(history.getByTestId("credit-row").first()).toContainText("+$2.50");
  expect((await seed.wallet(user.id)).quota).toBe(1_250_000n);

  // the same code again: the reason, next to the field, the input kept, nothing credited
  await page.getByLabel("Redemption code").fill(code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByRole("main").getByText("This code has already been used.")).toBeVisible();
  await expect(page.getByLabel("Redemption code")).toHaveValue(code);
  await expect(page.getByTestId("wallet-balance")).toHaveText("$2.50");
  await page.getByLabel("Redemption code").fill("not-a-code");
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByRole("main").getByText("This code does not exist. Check it and try again.")).toBeVisible();
  expect((await seed.wallet(user.id)).quota).toBe(1_250_000n);

  // the dashboard agrees
  await page.goto("/dashboard");
  await expect(page.getByTestId("stat-balance")).toHaveText("$2.50");
});

test("transfer invitation rewards to the balance: what moves is shown first", async ({ page, seed }) => {
  const user = await seed.createUser();
  await seed.giveAffQuota(user.id, 1_500_000n); // $3
  await signIn(page, user);
  await page.goto("/wallet");
  await expect(page.getByTestId("wallet-aff")).toHaveText("$3.00");
  await page.getByRole("tab", { name: "Transfer rewards" }).click();
  const amount = page.getByLabel("Amount");
  await expect(amount).toHaveValue("3");
  await expect(page.getByTestId("transfer-preview")).toHaveText(
    "$3.00 moves to your balance: rewards $3.00 → $0.00, balance $0.00 → $3.00.",
  );

  // below the minimum: refused, with the minimum
  await amount.fill("0.5");
  await page.getByRole("button", { name: "Transfer", exact: true }).click();
  await expect(page.getByRole("main").getByText("The minimum transfer is $1.00.")).toBeVisible();

  await amount.fill("1.25");
  await expect(page.getByTestId("transfer-preview")).toContainText("$1.25 moves to your balance");
  await page.getByRole("button", { name: "Transfer", exact: true }).click();
  await expect(page.getByText("$1.25 moved to your balance.")).toBeVisible();
  await expect(page.getByTestId("wallet-balance")).toHaveText("$1.25");
  await expect(page.getByTestId("wallet-aff")).toHaveText("$1.75");
  await expect(page.getByTestId("credit-history").getByTestId("credit-row").first()).toContainText("Rewards transfer");
  expect(await seed.wallet(user.id)).toMatchObject({ quota: 625_000n, affQuota: 875_000n });

  // the rest, with "All"; then the form says there is nothing to move instead of offering a transfer that fails
  await page.getByRole("button", { name: "All", exact: true }).click();
  await expect(amount).toHaveValue("1.75");
  await page.getByRole("button", { name: "Transfer", exact: true }).click();
  await expect(page.getByTestId("wallet-aff")).toHaveText("$0.00");
  await expect(page.getByTestId("wallet-balance")).toHaveText("$3.00");
  await expect(page.getByTestId("transfer-unavailable")).toContainText("You have no rewards to move yet.");
  expect(await seed.wallet(user.id)).toMatchObject({ quota: 1_500_000n, affQuota: 0n });
});

test("a history that fails to load shows an error with a retry, and the retry brings it back", async ({
  page,
  seed,
}) => {
  const user = await seed.createUser();
  const code = await seed.createRedemption(500_000n); // $1
  await signIn(page, user);
  await page.goto("/wallet");
  await expect(page.getByText("Nothing yet. Redeem a code", { exact: false })).toBeVisible();

  // the history is re-read after a redemption (a server action with a cursor): make that read fail
  const isHistoryRead = (r: Request) =>
    r.method() === "POST" && r.headers()["next-action"] !== undefined && (r.postData() ?? "").includes('"cursor"');
  await page.route("**/wallet", (route) => (isHistoryRead(route.request()) ? route.abort("failed") : route.fallback()));
  await page.getByLabel("Redemption code").fill(code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByTestId("redeem-success")).toHaveText("$1.00 added to your balance.");
  const failed = page.getByRole("main").getByRole("alert").filter({ hasText: "This could not be loaded." });
  await expect(failed).toBeVisible();

  await page.unroute("**/wallet");
  await failed.getByRole("button", { name: "Try again" }).click();
  await expect(failed).toBeHidden();
  await expect(page.getByTestId("credit-history").getByTestId("credit-row")).toHaveCount(1);
  await expect(page.getByTestId("credit-history").getByTestId("credit-row").first()).toContainText("+$1.00");
});
