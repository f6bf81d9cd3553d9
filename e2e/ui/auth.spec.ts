import { expect, formAlert, signIn, submitLogin, test, uniqueName } from "./support";

async function fillRegister(
  page: import("@playwright/test").Page,
  username: string,
  password: string,
  confirm = password,
) {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password", { exact: true }).fill(confirm);
  await page.getByRole("button", { name: "Create account" }).click();
}

test("register, land on the dashboard with the balance, sign out and sign in again", async ({ page, seed }) => {
  const username = uniqueName("newbie");
  const password = "a-good-password";
  await page.goto("/register");
  await fillRegister(page, username, password);

  // signed in automatically
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("shell-username")).toHaveText(username);
  await expect(page.getByTestId("stat-balance")).toHaveText(/^\$\d/);
  const navigation = page.getByRole("navigation", { name: "Main navigation" });
  for (const link of ["Dashboard", "API keys", "Logs", "Wallet", "Settings"]) {
    await expect(navigation.getByRole("link", { name: link })).toBeVisible();
  }
  await expect(navigation.getByText("Admin")).toHaveCount(0);

  // the balance is the wallet's bigint quota in the display unit (500,000 quota = $1)
  const row = await seed.user(username);
  expect(row).not.toBeNull();
  await seed.setQuota(row!.id, 1_250_000n);
  await page.reload();
  await expect(page.getByTestId("stat-balance")).toHaveText("$2.50");
  await expect(page.getByTestId("aff-link")).toHaveValue(/\/register\?aff=[0-9A-Za-z]+$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1$/);
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, { username, password });
  expect((await seed.user(username))!.last_login_at).not.toBeNull();
  const logins = await seed.loginLogs(row!.id);
  expect(logins.length).toBeGreaterThanOrEqual(2); // after register, and now
  expect(logins.every((l) => l.content === "login" && l.ip !== "")).toBe(true);
});

test("a taken username gives a clear error and creates nothing", async ({ page, seed }) => {
  const existing = await seed.createUser();
  await page.goto("/register");
  await fillRegister(page, existing.username, "another-password");
  await expect(page.getByText("This username is already taken.")).toBeVisible();
  await expect(page.getByLabel("Username", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/register$/);
  expect(await seed.countUsers(existing.username)).toBe(1);
});

test("bad input gets a message per field and writes nothing", async ({ page, seed }) => {
  await page.goto("/register");
  const tooLong = "u".repeat(21);
  await fillRegister(page, tooLong, "short", "different");
  await expect(page.getByText("Username must be at most 20 characters.")).toBeVisible();
  await expect(page.getByText("Password must be at least 8 characters.")).toBeVisible();
  expect(await seed.countUsers(tooLong)).toBe(0);

  const name = uniqueName("mismatch");
  await fillRegister(page, name, "long-enough-1", "long-enough-2");
  await expect(page.getByText("The passwords do not match.")).toBeVisible();
  await expect(page.getByText("Username must be at most 20 characters.")).toHaveCount(0);
  expect(await seed.countUsers(name)).toBe(0);

  await fillRegister(page, "bad name!", "long-enough-1");
  await expect(page.getByText("Username may contain letters, digits, '_', '.' and '-' only.")).toBeVisible();
});

test("a disabled user cannot sign in", async ({ page, seed }) => {
  const user = await seed.createUser({ status: 2 });
  await page.goto("/login");
  const res = await submitLogin(page, user.username, user.password);
  expect(res.status()).toBe(401);
  await expect(formAlert(page)).toHaveText("This account has been disabled. Contact an administrator.");
  await expect(page).toHaveURL(/\/login/);
  expect(await seed.loginLogs(user.id)).toHaveLength(0);
});

test("disabling a signed-in user ends their session at once", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  await seed.setStatus(user.id, 2);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);
});

test("the sixth attempt after five wrong passwords is refused, even with the right password", async ({
  page,
  seed,
}) => {
  const user = await seed.createUser();
  await page.goto("/login");
  for (let i = 1; i <= 5; i++) {
    const res = await submitLogin(page, user.username, `wrong-password-${i}`);
    expect(res.status()).toBe(401);
    await expect(formAlert(page)).toHaveText("Wrong username or password.");
  }
  const res = await submitLogin(page, user.username, user.password);
  expect(res.status()).toBe(401);
  await expect(formAlert(page)).toHaveText("Too many login attempts, try again in 15 minutes.");
  await expect(page).toHaveURL(/\/login/);
  expect(await seed.loginLogs(user.id)).toHaveLength(0);
});

test("registering through an invitation link records the inviter", async ({ page, seed }) => {
  const inviter = await seed.createUser();
  await page.goto(`/register?aff=${inviter.affCode}`);
  await expect(page.getByText(`You were invited with code ${inviter.affCode}.`)).toBeVisible();
  const username = uniqueName("invitee");
  await fillRegister(page, username, "invited-password");
  await expect(page).toHaveURL(/\/dashboard$/);

  const invitee = await seed.user(username);
  expect(invitee?.inviter_id).toBe(inviter.id);
  expect((await seed.user(inviter.username))?.aff_count).toBe(1);
});

test("admin links show for admins only, and admin pages refuse other users", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  const res = await page.goto("/admin/users");
  expect(res?.status()).toBe(404);

  await page.context().clearCookies();
  const admin = await seed.createUser({ role: 10 });
  await signIn(page, admin);
  const navigation = page.getByRole("navigation", { name: "Main navigation" });
  for (const link of [
    "Overview",
    "Users",
    "All logs",
    "Channels",
    "Redemption codes",
    "System settings",
    "Audit trail",
  ]) {
    await expect(navigation.getByRole("link", { name: link })).toBeVisible();
  }
  await navigation.getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(navigation.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
  await expect(navigation.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current", "page");
});
