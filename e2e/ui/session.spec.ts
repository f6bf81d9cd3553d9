import { request as playwrightRequest } from "@playwright/test";
import { E2E_BASE_URL } from "../global-setup";
import { expect, signIn, test } from "./support";

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
