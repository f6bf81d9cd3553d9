import { request as playwrightRequest } from "@playwright/test";
import { E2E_BASE_URL } from "../global-setup";
import { expect, signIn, submitLogin, test } from "./support";

/** GET `path` with only the given Cookie header, as someone who copied the cookie would */
async function replay(cookie: string, path: string) {
  const ctx = await playwrightRequest.newContext({ baseURL: E2E_BASE_URL, extraHTTPHeaders: { cookie } });
  try {
    const res = await ctx.get(path, { maxRedirects: 0 });
    return { status: res.status(), location: res.headers()["location"] ?? null };
  } finally {
    await ctx.dispose();
  }
}

test("a session cookie copied before sign-out no longer works after it", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session).toBeDefined();
  const cookie = `${session!.name}=${session!.value}`;
  expect(await replay(cookie, "/dashboard")).toMatchObject({ status: 200 });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1$/);

  const after = await replay(cookie, "/dashboard");
  expect(after.status).toBe(307);
  expect(after.location).toMatch(/\/login$/);

  // the user signs in again and gets a working session
  await signIn(page, user);
});

test("a password change signs out every browser of the user, the one that changed it too", async ({
  page,
  browser,
  seed,
}) => {
  const user = await seed.createUser();
  const NEW_PASSWORD = "a brand new passphrase";
  const other = await browser.newContext({ baseURL: E2E_BASE_URL });
  try {
    const otherPage = await other.newPage();
    await signIn(page, user);
    await signIn(otherPage, user);

    await page.goto("/settings");
    const form = page.getByTestId("password-form");
    await form.getByLabel("Current password").fill("not my password");
    await form.getByLabel("New password").fill(NEW_PASSWORD);
    await form.getByLabel("Confirm password").fill(NEW_PASSWORD);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(form.getByText("The current password is wrong.")).toBeVisible();
    // nothing changed: the other browser still reaches its pages
    await otherPage.goto("/keys");
    await expect(otherPage).toHaveURL(/\/keys$/);

    await form.getByLabel("Current password").fill(user.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page).toHaveURL(/\/login\?passwordChanged=1$/);
    await expect(page.getByRole("main").getByRole("status")).toContainText("Your password was changed");

    // the other browser's cookie no longer reaches a portal page
    await otherPage.goto("/dashboard");
    await expect(otherPage).toHaveURL(/\/login$/);

    // the old password is refused, the new one signs in
    await submitLogin(page, user.username, user.password);
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, { username: user.username, password: NEW_PASSWORD });
  } finally {
    await other.close();
  }
});
