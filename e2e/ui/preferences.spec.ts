import { expect, signIn, test } from "./support";

test("the language switch translates the shell and is remembered", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "仪表盘" })).toBeVisible();
  await expect(page.getByRole("button", { name: "退出登录" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");

  await page.reload();
  await expect(page.getByRole("link", { name: "API 密钥" })).toBeVisible();

  await page.getByRole("button", { name: "EN", exact: true }).click(); // not the usage chart's "Tokens"
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
});

test("the sign-in page follows the language cookie", async ({ page, context }) => {
  await context.addCookies([{ name: "tollgate-lang", value: "zh", url: test.info().project.use.baseURL! }]);
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await expect(page.getByLabel("用户名")).toBeVisible();
});

test("the theme switch toggles dark mode and is remembered", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/login");
  const html = page.locator("html");
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.getByTestId("theme-toggle").click();
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).not.toHaveClass(/\bdark\b/);
});

test("without a remembered choice the system preference applies", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/login");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
});
