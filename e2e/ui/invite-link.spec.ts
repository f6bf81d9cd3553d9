import { E2E_BASE_URL } from "../global-setup";
import { expect, signIn, test } from "./support";

// The invitation link is built from the configured public address (ServerAddress, else
// NEXTAUTH_URL), never from what a request claims its host is.
test("a forged X-Forwarded-Host does not change the invitation link", async ({ page, seed }) => {
  const user = await seed.createUser();
  await signIn(page, user);
  const expected = `${E2E_BASE_URL}/register?aff=${user.affCode}`;
  await expect(page.getByTestId("aff-link")).toHaveValue(expected);

  await page.setExtraHTTPHeaders({
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
  });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("aff-link")).toHaveValue(expected);

  // the server-rendered HTML says the same
  const html = await (await page.request.get("/dashboard", { headers: { "X-Forwarded-Host": "evil.example" } })).text();
  expect(html).not.toContain("evil.example");
  expect(html).toContain(`/register?aff=${user.affCode}`);
});
