import { randomBytes } from "node:crypto";
import { expect, test as base, type Page } from "@playwright/test";
import pg from "pg";
import { hashPassword } from "../../lib/users/password";
import { E2E_DATABASE_URL } from "../global-setup";

// Seeding and sign-in helpers for the UI specs. Each spec creates the users it needs, with unique
// names, straight in the e2e database.

export type Seeded = { id: number; username: string; password: string; affCode: string };

/** a username of at most 20 characters that no other test uses */
export function uniqueName(prefix: string): string {
  return `${prefix.slice(0, 9)}_${randomBytes(5).toString("hex")}`;
}

export class Seeder {
  constructor(readonly pool: pg.Pool) {}

  async createUser(opts: { username?: string; password?: string; role?: number; status?: number; quota?: bigint } = {}): Promise<Seeded> {
    const username = opts.username ?? uniqueName("user");
    const password = opts.password ?? "e2e-password-1";
    const affCode = randomBytes(8).toString("hex").slice(0, 10);
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, display_name, role, status, quota, aff_code)
       VALUES ($1, $2, $1, $3, $4, $5, $6) RETURNING id`,
      [username, await hashPassword(password), opts.role ?? 1, opts.status ?? 1, String(opts.quota ?? 0n), affCode],
    );
    return { id: rows[0].id, username, password, affCode };
  }

  async user(username: string) {
    const { rows } = await this.pool.query<{
      id: number;
      status: number;
      inviter_id: number | null;
      aff_count: number;
      quota: string;
      last_login_at: Date | null;
    }>("SELECT id, status, inviter_id, aff_count, quota::text, last_login_at FROM users WHERE username = $1", [username]);
    return rows[0] ?? null;
  }

  async countUsers(username: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM users WHERE username = $1", [username]);
    return Number(rows[0].n);
  }

  async setStatus(userId: number, status: number) {
    await this.pool.query("UPDATE users SET status = $2 WHERE id = $1", [userId, status]);
  }

  /** sets a wallet with the manage log the billing module would write, so the ledger audit holds */
  async setQuota(userId: number, quota: bigint) {
    await this.pool.query(
      `WITH old AS (SELECT quota FROM users WHERE id = $1 FOR UPDATE),
            upd AS (UPDATE users SET quota = $2 WHERE id = $1 RETURNING username)
       INSERT INTO logs (user_id, type, username, quota, content)
       SELECT $1, 3, upd.username, $2::bigint - old.quota, 'e2e seed' FROM old, upd`,
      [userId, String(quota)],
    );
  }

  async setOption(key: string, value: unknown) {
    await this.pool.query(
      `INSERT INTO options (key, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }

  async deleteOption(key: string) {
    await this.pool.query("DELETE FROM options WHERE key = $1", [key]);
  }

  async loginLogs(userId: number) {
    const { rows } = await this.pool.query<{ content: string; ip: string }>(
      "SELECT content, ip FROM logs WHERE user_id = $1 AND type = 7 ORDER BY id",
      [userId],
    );
    return rows;
  }
}

export const test = base.extend<{ seed: Seeder }, { pool: pg.Pool }>({
  pool: [
    async ({}, use) => {
      const pool = new pg.Pool({ connectionString: E2E_DATABASE_URL, max: 2 });
      await use(pool);
      await pool.end();
    },
    { scope: "worker" },
  ],
  seed: async ({ pool }, use) => {
    await use(new Seeder(pool));
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

export async function signIn(page: Page, user: { username: string; password: string }) {
  await page.goto("/login");
  await submitLogin(page, user.username, user.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}
