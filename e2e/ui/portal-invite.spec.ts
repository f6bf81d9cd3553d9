import { expect, signIn, test, uniqueName } from "./support";

// Registering through an invitation link: the inviter's dashboard shows the new invitee and the
// reward. The server caches options for up to 10 s, so the spec waits that long after setting
// the rewards (and after putting them back) instead of polling a page that does not show them.
const OPTIONS_RELOAD_MS = 11_000;

test("a new user registers through an invite link; the inviter sees the invite count and the reward", async ({
  page,
  seed,
  browser,
}) => {
  test.setTimeout(90_000);
  await seed.setOption("QuotaForInviter", 1_000_000); // $2 to the inviter's rewards
  await seed.setOption("QuotaForInvitee", 250_000); // $0.50 to the invitee's wallet
  await page.waitForTimeout(OPTIONS_RELOAD_MS);
  try {
    const inviter = await seed.createUser();
    await signIn(page, inviter);
    await expect(page.getByTestId("stat-aff-count")).toHaveText("0");
    const link = await page.getByTestId("aff-link").inputValue();
    expect(link).toMatch(new RegExp(`/register\\?aff=${inviter.affCode}$`));

    // the invitee, in a browser of their own
    const other = await browser.newContext();
    const invitee = await other.newPage();
    await invitee.goto(link);
    await expect(invitee.getByText(`You were invited with code ${inviter.affCode}.`)).toBeVisible();
    const username = uniqueName("invitee");
    await invitee.getByLabel("Username", { exact: true }).fill(username);
    await invitee.getByLabel("Password", { exact: true }).fill("invitee-password-1");
    await invitee.getByLabel("Confirm password", { exact: true }).fill("invitee-password-1");
    await invitee.getByRole("button", { name: "Create account" }).click();
    await expect(invitee).toHaveURL(/\/dashboard$/);
    await expect(invitee.getByTestId("stat-balance")).toHaveText("$0.50");
    await invitee.goto("/wallet");
    await expect(invitee.getByTestId("credit-history").getByTestId("credit-row")).toContainText(["Invitation gift"]);
    await other.close();

    await page.reload();
    await expect(page.getByTestId("stat-aff-count")).toHaveText("1");
    await expect(page.getByTestId("stat-aff-quota")).toHaveText("$2.00");
    await expect(page.getByTestId("stat-aff-history")).toHaveText("$2.00");
    expect(await seed.wallet(inviter.id)).toEqual({ quota: 0n, affQuota: 1_000_000n, affCount: 1 });

    // and the reward can go to the balance from the wallet
    await page.getByRole("link", { name: "Transfer to balance" }).click();
    await page.getByRole("tab", { name: "Transfer rewards" }).click();
    await page.getByRole("button", { name: "Transfer", exact: true }).click();
    await expect(page.getByTestId("wallet-balance")).toHaveText("$2.00");
  } finally {
    await seed.deleteOption("QuotaForInviter");
    await seed.deleteOption("QuotaForInvitee");
    await page.waitForTimeout(OPTIONS_RELOAD_MS);
  }
});
