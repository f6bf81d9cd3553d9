import { expect, test as base, type Page } from "@playwright/test";
import pg from "pg";
import { E2E_BASE_URL, E2E_DATABASE_URL } from "../global-setup";
import { Seed } from "../support/seed";

// The fixture and sign-in helpers of the UI specs. Each test gets a seeder (e2e/support/seed.ts)
// and creates the users it needs, with unique names.

export { Seed, uniqueName, type Seeded } from "../support/seed";

export const test = base.extend<{ seed: Seed }, { pool: pg.Pool }>({
  pool: [
    async ({}, use) => {
      const pool = new pg.Pool({ connectionString: E2E_DATABASE_URL, max: 2 });
      await use(pool);
      await pool.end();
    },
    { scope: "worker" },
  ],
  seed: async ({ pool }, use) => {
    await use(new Seed(pool));
  },
});

export { expect };

/** Fills the sign-in form and waits for next-auth's answer (no fixed sleeps). */
export async function submitLogin(page: Page, username: string, password: string) {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const answered = page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials"));
  await page.getByRole("button", { name: "Sign in" }).click();
  return answered;
}

/** the form's message box (Next's route announcer is an empty role=alert outside <main>) */
export const formAlert = (page: Page) => page.getByRole("main").getByRole("alert");

/** the relay's answer to GET /v1/models with a key: status, model ids, error code */
export async function listModels(page: Page, key: string) {
  const res = await page.request.get("/v1/models", { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { data?: { id: string }[]; error?: { code: string } };
  return { status: res.status(), models: (body.data ?? []).map((m) => m.id).sort(), code: body.error?.code ?? null };
}

/** the language and theme cookies the app reads on the server */
export async function setPreferences(page: Page, prefs: { lang?: "en" | "zh"; theme?: "light" | "dark" }) {
  const url = new URL(page.url() === "about:blank" ? E2E_BASE_URL : page.url()).origin;
  const cookies = [];
  if (prefs.lang) cookies.push({ name: "tollgate-lang", value: prefs.lang, url });
  if (prefs.theme) cookies.push({ name: "tollgate-theme", value: prefs.theme, url });
  await page.context().addCookies(cookies);
}

export async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto("/login");
  await submitLogin(page, user.username, user.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}
