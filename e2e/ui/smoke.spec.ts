import { expect, test } from "./support";

test("the health endpoint reports the database", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", db: "ok" });
});

test("signed-out visitors are sent to the sign-in page", async ({ page }) => {
  for (const path of ["/", "/dashboard", "/keys", "/admin/users"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login$/);
  }
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});
