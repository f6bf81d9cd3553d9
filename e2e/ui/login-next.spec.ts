import { E2E_BASE_URL } from "../global-setup";
import { expect, submitLogin, test } from "./support";

// ?next= on the sign-in page: only a place on this site is followed after signing in.

const dashboard = new RegExp(`^${E2E_BASE_URL.replace(/[.]/g, "\\.")}/dashboard$`);

test("a ?next= that a browser reads as another site lands on the dashboard instead", async ({ page, seed }) => {
  const user = await seed.createUser();
  const offsite: string[] = [];
  // were the app to navigate away, the browser would reach this stub instead of the network
  await page.route(
    (url) => url.hostname.endsWith("evil.example"),
    (route) => {
      offsite.push(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
    },
  );

  for (const next of [
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/.//evil.example",
    "javascript:alert(1)",
  ]) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    const res = await submitLogin(page, user.username, user.password);
    expect(res.status()).toBe(200);
    await expect(page, `next=${JSON.stringify(next)}`).toHaveURL(dashboard);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  }
  expect(offsite).toEqual([]);
});

test("a ?next= path of this site is followed", async ({ page, seed }) => {
  const user = await seed.createUser();
  await page.goto(`/login?next=${encodeURIComponent("/keys?tab=all")}`);
  await submitLogin(page, user.username, user.password);
  await expect(page).toHaveURL(`${E2E_BASE_URL}/keys?tab=all`);
  // already signed in: the sign-in page sends the user on at once, with the same check
  await page.goto(`/login?next=${encodeURIComponent("/\t/evil.example")}`);
  await expect(page).toHaveURL(dashboard);
});
