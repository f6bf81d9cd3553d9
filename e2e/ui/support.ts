import { randomBytes } from "node:crypto";
import { expect, test as base, type Page } from "@playwright/test";
import pg from "pg";
import { hashPassword } from "../../lib/users/password";
import { E2E_BASE_URL, E2E_DATABASE_URL } from "../global-setup";

// Seeding and sign-in helpers for the UI specs. Each spec creates the users it needs, with unique
// names, straight in the e2e database.

export type Seeded = { id: number; username: string; password: string; affCode: string };

/** a username of at most 20 characters that no other test uses */
export function uniqueName(prefix: string): string {
  return `${prefix.slice(0, 9)}_${randomBytes(5).toString("hex")}`;
}

export class Seeder {
  constructor(readonly pool: pg.Pool) {}

  async createUser(
    opts: { username?: string; password?: string; role?: number; status?: number; quota?: bigint; group?: string } = {},
  ): Promise<Seeded> {
    const username = opts.username ?? uniqueName("user");
    const password = opts.password ?? "e2e-password-1";
    const affCode = randomBytes(8).toString("hex").slice(0, 10);
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, display_name, role, status, aff_code, "group")
       VALUES ($1, $2, $1, $3, $4, $5, $6) RETURNING id`,
      [username, await hashPassword(password), opts.role ?? 1, opts.status ?? 1, affCode, opts.group ?? "default"],
    );
    if (opts.quota && opts.quota > 0n) await this.setQuota(rows[0].id, opts.quota);
    return { id: rows[0].id, username, password, affCode };
  }

  /** invitation credit as registrations would have given it: aff_quota and its history, with the system log */
  async giveAffQuota(userId: number, amount: bigint) {
    await this.pool.query(
      `WITH upd AS (UPDATE users SET aff_quota = aff_quota + $2, aff_history_quota = aff_history_quota + $2, aff_count = aff_count + 1
                    WHERE id = $1 RETURNING username)
       INSERT INTO logs (user_id, type, username, aff_quota, content, other)
       SELECT $1, 4, upd.username, $2, 'e2e invitation reward', '{"kind":"inviter_reward"}' FROM upd`,
      [userId, String(amount)],
    );
  }

  /** a redemption code (32 hex characters) worth `quota` */
  async createRedemption(quota: bigint): Promise<string> {
    const key = randomBytes(16).toString("hex");
    await this.pool.query("INSERT INTO redemptions (key, name, quota, created_by) VALUES ($1, 'e2e', $2, 1)", [
      key,
      String(quota),
    ]);
    return key;
  }

  /** an enabled channel serving `models` to `groups`; nothing listens at its address (enough for /v1/models) */
  async createChannel(groups: string[], models: string[]) {
    await this.pool.query(
      `INSERT INTO channels (name, base_url, key, models, groups, updated_at) VALUES ($1, 'http://127.0.0.1:9', 'sk-e2e-upstream', $2, $3, now())`,
      [uniqueName("ch"), models, groups],
    );
  }

  async keys(userId: number) {
    const { rows } = await this.pool.query<{
      id: number;
      name: string;
      status: number;
      model_limits: string;
      allow_ips: string;
      accessed_at: Date | null;
    }>("SELECT id, name, status, model_limits, allow_ips, accessed_at FROM tokens WHERE user_id = $1 ORDER BY id", [
      userId,
    ]);
    return rows;
  }

  async wallet(userId: number) {
    const { rows } = await this.pool.query<{ quota: string; aff_quota: string; aff_count: number }>(
      "SELECT quota::text, aff_quota::text, aff_count FROM users WHERE id = $1",
      [userId],
    );
    return { quota: BigInt(rows[0].quota), affQuota: BigInt(rows[0].aff_quota), affCount: rows[0].aff_count };
  }

  async user(username: string) {
    const { rows } = await this.pool.query<{
      id: number;
      status: number;
      inviter_id: number | null;
      aff_count: number;
      quota: string;
      last_login_at: Date | null;
    }>("SELECT id, status, inviter_id, aff_count, quota::text, last_login_at FROM users WHERE username = $1", [
      username,
    ]);
    return rows[0] ?? null;
  }

  async countUsers(username: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM users WHERE username = $1", [
      username,
    ]);
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
