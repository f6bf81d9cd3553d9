import { expect, formAlert, test, uniqueName } from "./support";

// The server caches options for up to 10 s, so this spec waits (by polling, not sleeping) until
// the server sees each change, and restores the option for the specs after it.
test("registration is refused with a clear message while RegisterEnabled is false", async ({ page, seed, request }) => {
  test.setTimeout(90_000);
  const closedText = "Registration is closed. Ask an administrator for an account.";
  // the dictionary sent to the browser holds every text, so look for the closed notice's element
  const registerPageSays = async () =>
    (await (await request.get("/register")).text()).includes('data-testid="register-closed"');

  // a form opened while registration was still open
  await page.goto("/register");
  await expect(page.getByRole("button", { name: "Create account" })).toBeEnabled();

  await seed.setOption("RegisterEnabled", false);
  try {
    await expect.poll(registerPageSays, { timeout: 30_000, intervals: [500] }).toBe(true);

    // the server action refuses too: hiding the form is not the check
    const username = uniqueName("late");
    await page.getByLabel("Username", { exact: true }).fill(username);
    await page.getByLabel("Password", { exact: true }).fill("late-password-1");
    await page.getByLabel("Confirm password", { exact: true }).fill("late-password-1");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(formAlert(page)).toHaveText(closedText);
    expect(await seed.countUsers(username)).toBe(0);

    await page.reload();
    await expect(page.getByTestId("register-closed")).toHaveText(closedText);
    await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);
  } finally {
    await seed.deleteOption("RegisterEnabled");
    await expect.poll(registerPageSays, { timeout: 30_000, intervals: [500] }).toBe(false);
  }
});
