import { createHash, randomBytes, randomInt } from "node:crypto";
import pg from "pg";
import { hashPassword } from "../../lib/users/password";
import { E2E_DATABASE_URL } from "../global-setup";

// The one seeder of the e2e specs, straight in the e2e database. Balances are written with the
// manage log the billing module would write, so the ledger audit holds for seeded users from the
// first row. The ui specs get one per test from their fixture (e2e/ui/support.ts), working in the
// "default" group; each api spec makes its own with `Seed.forSpec()`, whose users and channels
// live in a group of their own, so the channels of one spec never serve another.

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const QUOTA_PER_USD = 500_000n;

export type Seeded = { id: number; username: string; password: string; affCode: string };

/** a consume log as settle writes it, at a chosen time (seedConsumeLogs) */
export type SeedLog = {
  at: Date;
  model: string;
  quota: bigint;
  promptTokens: number;
  completionTokens: number;
  tokenId?: number | null;
  tokenName?: string;
  group?: string;
  channelId?: number | null;
  isStream?: boolean;
  useTime?: number;
  requestId?: string;
  upstreamRequestId?: string;
  ip?: string;
  /** stored pricing and facts; cache_tokens here is the cached-token count */
  other?: Record<string, unknown>;
};
export type SeededKey = { id: number; key: string };

/** a username of at most 20 characters that no other test uses */
export function uniqueName(prefix: string): string {
  return `${prefix.slice(0, 9)}_${randomBytes(5).toString("hex")}`;
}

export class Seed {
  constructor(
    readonly pool: pg.Pool,
    /** the group of this seed's users and channels */
    readonly group = "default",
    private readonly ownsPool = false,
  ) {}

  /** a seed with its own pool and a group of its own (an api spec) */
  static forSpec(): Seed {
    return new Seed(
      new pg.Pool({ connectionString: E2E_DATABASE_URL, max: 4 }),
      `e2e_${randomBytes(4).toString("hex")}`,
      true,
    );
  }

  async close() {
    if (this.ownsPool) await this.pool.end();
  }

  async createUser(
    opts: { username?: string; password?: string; role?: number; status?: number; quota?: bigint; group?: string } = {},
  ): Promise<Seeded> {
    const username = opts.username ?? uniqueName("user");
    const password = opts.password ?? "e2e-password-1";
    const affCode = randomBytes(8).toString("hex").slice(0, 10);
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, display_name, role, status, aff_code, "group")
       VALUES ($1, $2, $1, $3, $4, $5, $6) RETURNING id`,
      [username, await hashPassword(password), opts.role ?? 1, opts.status ?? 1, affCode, opts.group ?? this.group],
    );
    if (opts.quota && opts.quota > 0n) await this.setQuota(rows[0].id, opts.quota);
    return { id: rows[0].id, username, password, affCode };
  }

  async createKey(
    userId: number,
    opts: {
      unlimited?: boolean;
      remain?: bigint;
      models?: string[];
      allowIps?: string;
      status?: number;
      expiredTime?: number;
      group?: string;
      name?: string;
    } = {},
  ): Promise<SeededKey> {
    let body = "";
    for (let i = 0; i < 48; i++) body += ALNUM[randomInt(ALNUM.length)];
    const remain = String(opts.remain ?? 0n);
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO tokens (user_id, key_hash, key_prefix, key_last4, status, name, expired_time, remain_quota, granted_quota,
                           unlimited_quota, model_limits_enabled, model_limits, allow_ips, "group")
       VALUES ($1, $2, $3, $4, $5, $13, $6, $7, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        userId,
        createHash("sha256").update(body).digest("hex"),
        body.slice(0, 4),
        body.slice(-4),
        opts.status ?? 1,
        opts.expiredTime ?? -1,
        remain,
        opts.unlimited ?? true,
        (opts.models ?? []).length > 0,
        (opts.models ?? []).join(","),
        opts.allowIps ?? "",
        opts.group ?? "",
        opts.name ?? "e2e key",
      ],
    );
    return { id: rows[0].id, key: `sk-${body}` };
  }

  /** an enabled channel serving `models` to this seed's group (or `groups`); by default nothing listens at its address */
  async createChannel(c: {
    models: string[];
    name?: string;
    baseUrl?: string;
    groups?: string[];
    priority?: number;
    weight?: number;
    modelMapping?: Record<string, string>;
    key?: string;
    /** "openai" (default) or "anthropic" */
    dialect?: string;
  }): Promise<number> {
    const name = c.name ?? uniqueName("ch");
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO channels (name, base_url, key, models, groups, priority, weight, model_mapping, dialect, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) RETURNING id`,
      [
        name,
        c.baseUrl ?? "http://127.0.0.1:9",
        c.key ?? `sk-${name}-upstream-secret`,
        c.models,
        c.groups ?? [this.group],
        c.priority ?? 0,
        c.weight ?? 1,
        JSON.stringify(c.modelMapping ?? {}),
        c.dialect ?? "openai",
      ],
    );
    return rows[0].id;
  }

  /** a settlement API credential (tgs_…), stored as the service does: its SHA-256 only */
  async createServiceKey(): Promise<string> {
    let secret = "tgs_";
    for (let i = 0; i < 48; i++) secret += ALNUM[randomInt(ALNUM.length)];
    await this.pool.query("INSERT INTO service_keys (name, key_hash, key_prefix) VALUES ($1, $2, $3)", [
      `e2e ${this.group}`,
      createHash("sha256").update(secret).digest("hex"),
      secret.slice(0, 8),
    ]);
    return secret;
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

  /**
   * Consume logs at chosen times, with what settle writes alongside them in the same transaction:
   * the hourly and daily rollups per user and across users, and the charges
   * taken from the wallet and the key, so the stats, the charts and the ledger audit agree.
   */
  async seedConsumeLogs(user: { id: number; username: string }, logs: SeedLog[]) {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      for (const l of logs) {
        await client.query(
          `INSERT INTO logs (user_id, created_at, type, username, token_name, model_name, quota, prompt_tokens,
                             completion_tokens, use_time, is_stream, channel_id, token_id, "group", ip, request_id,
                             upstream_request_id, other)
           VALUES ($1, $2, 2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            user.id,
            l.at,
            user.username,
            l.tokenName ?? "",
            l.model,
            String(l.quota),
            l.promptTokens,
            l.completionTokens,
            l.useTime ?? 1,
            l.isStream ?? false,
            l.channelId ?? null,
            l.tokenId ?? null,
            l.group ?? this.group,
            l.ip ?? "",
            l.requestId ?? randomBytes(16).toString("hex"),
            l.upstreamRequestId ?? "",
            JSON.stringify(l.other ?? {}),
          ],
        );
        // the six rollups, with the buckets tollgate_settle uses (UTC hours; days of StatsTimeZone)
        const day = `date_trunc('day', $1::timestamptz,
          COALESCE((SELECT value::jsonb #>> '{}' FROM options WHERE key = 'StatsTimeZone'), 'UTC'))`;
        const hour = `date_trunc('hour', $1::timestamptz, 'UTC')`;
        const sums = `request_count = r.request_count + 1, quota = r.quota + EXCLUDED.quota,
             prompt_tokens = r.prompt_tokens + EXCLUDED.prompt_tokens,
             completion_tokens = r.completion_tokens + EXCLUDED.completion_tokens`;
        for (const [table, bucket] of [
          ["usage_rollups", hour],
          ["usage_rollups_daily", day],
        ]) {
          await client.query(
            `INSERT INTO ${table} AS r (user_id, bucket, model_name, token_id, "group", request_count, quota,
                                        prompt_tokens, completion_tokens)
             VALUES ($2, ${bucket}, $3, $4, $5, 1, $6, $7, $8)
             ON CONFLICT (user_id, bucket, model_name, token_id, "group") DO UPDATE SET ${sums}`,
            [
              l.at,
              user.id,
              l.model,
              l.tokenId ?? 0,
              l.group ?? this.group,
              String(l.quota),
              l.promptTokens,
              l.completionTokens,
            ],
          );
        }
        for (const [table, bucket] of [
          ["usage_totals", hour],
          ["usage_totals_daily", day],
        ]) {
          await client.query(
            `INSERT INTO ${table} AS r (bucket, model_name, channel_id, "group", request_count, quota, prompt_tokens,
                                        completion_tokens)
             VALUES (${bucket}, $2, $3, $4, 1, $5, $6, $7)
             ON CONFLICT (bucket, model_name, channel_id, "group") DO UPDATE SET ${sums}`,
            [
              l.at,
              l.model,
              l.channelId ?? 0,
              l.group ?? this.group,
              String(l.quota),
              l.promptTokens,
              l.completionTokens,
            ],
          );
        }
        for (const [table, bucket] of [
          ["usage_model_totals", hour],
          ["usage_model_totals_daily", day],
        ]) {
          await client.query(
            `INSERT INTO ${table} AS r (bucket, model_name, request_count, quota, prompt_tokens, completion_tokens)
             VALUES (${bucket}, $2, 1, $3, $4, $5)
             ON CONFLICT (bucket, model_name) DO UPDATE SET ${sums}`,
            [l.at, l.model, String(l.quota), l.promptTokens, l.completionTokens],
          );
        }
        await client.query(
          "UPDATE users SET quota = quota - $2, used_quota = used_quota + $2, request_count = request_count + 1 WHERE id = $1",
          [user.id, String(l.quota)],
        );
        if (l.tokenId)
          await client.query(
            "UPDATE tokens SET remain_quota = remain_quota - $2, used_quota = used_quota + $2 WHERE id = $1",
            [l.tokenId, String(l.quota)],
          );
      }
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK");
      throw e;
    } finally {
      client.release();
    }
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

  /** wallet and key balances, for the relay specs */
  async balances(userId: number, tokenId: number) {
    const { rows } = await this.pool.query<{
      quota: string;
      used_quota: string;
      remain_quota: string;
      key_used: string;
    }>(
      `SELECT u.quota::text, u.used_quota::text, t.remain_quota::text, t.used_quota::text AS key_used
       FROM users u JOIN tokens t ON t.user_id = u.id WHERE u.id = $1 AND t.id = $2`,
      [userId, tokenId],
    );
    const r = rows[0];
    return {
      quota: BigInt(r.quota),
      used: BigInt(r.used_quota),
      keyRemain: BigInt(r.remain_quota),
      keyUsed: BigInt(r.key_used),
    };
  }

  /** waits until the request's reservation is closed (settled 2, refunded 3); returns it with its log */
  async finished(requestId: string, timeoutMs = 10_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.pool.query<{ status: number; charged_quota: string | null; held_quota: string }>(
        "SELECT status, charged_quota::text, held_quota::text FROM reservations WHERE request_id = $1",
        [requestId],
      );
      if (rows[0] && rows[0].status !== 1) {
        const log = await this.pool.query<{
          quota: string;
          prompt_tokens: number;
          completion_tokens: number;
          channel_id: number | null;
          other: Record<string, unknown>;
          content: string;
          is_stream: boolean;
        }>(
          "SELECT quota::text, prompt_tokens, completion_tokens, channel_id, other, content, is_stream FROM logs WHERE request_id = $1 AND type = 2",
          [requestId],
        );
        const l = log.rows[0];
        return { status: rows[0].status, log: l ? { ...l, quota: BigInt(l.quota) } : null };
      }
      if (Date.now() > until) throw new Error(`reservation of ${requestId} still open after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Waits until every settle and refund of the user's requests has landed: none of their
   * reservations is open, and their consume logs stopped growing. (A request served in trust mode
   * without a reserve has no reservation until its settle writes one: only its log shows it landed.)
   */
  async settled(userId: number, timeoutMs = 10_000) {
    const until = Date.now() + timeoutMs;
    let lastLogs = "";
    for (;;) {
      const { rows } = await this.pool.query<{ open: string; logs: string }>(
        `SELECT (SELECT count(*) FROM reservations WHERE user_id = $1 AND status = 1)::text AS open,
                (SELECT count(*) FROM logs WHERE user_id = $1)::text AS logs`,
        [userId],
      );
      if (rows[0].open === "0" && rows[0].logs === lastLogs) return;
      lastLogs = rows[0].open === "0" ? rows[0].logs : "";
      if (Date.now() > until)
        throw new Error(`user ${userId} still has ${rows[0].open} open reservations after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /**
   * The ledger invariant (lib/quota/audit.ts) for one user and their keys: the
   * wallet equals credits − consumption − open holds, used_quota the consumption, and each key's
   * remain its grant − its consumption − its open holds. Returns the differences (none: []).
   */
  async audit(userId: number): Promise<string[]> {
    const out: string[] = [];
    const u = await this.pool.query<{ quota: string; exp: string; used: string; exp_used: string }>(
      `SELECT u.quota::text,
              (COALESCE((SELECT SUM(quota) FROM logs WHERE user_id = u.id AND type IN (1,3,4,6)), 0)
               - COALESCE((SELECT SUM(quota) FROM logs WHERE user_id = u.id AND type = 2), 0)
               - COALESCE((SELECT SUM(held_quota) FROM reservations WHERE user_id = u.id AND status = 1), 0))::text AS exp,
              u.used_quota::text AS used,
              COALESCE((SELECT SUM(quota) FROM logs WHERE user_id = u.id AND type = 2), 0)::text AS exp_used
       FROM users u WHERE u.id = $1`,
      [userId],
    );
    const r = u.rows[0];
    if (r.quota !== r.exp) out.push(`user ${userId} quota ${r.quota} != ${r.exp}`);
    if (r.used !== r.exp_used) out.push(`user ${userId} used_quota ${r.used} != ${r.exp_used}`);
    const k = await this.pool.query<{ id: number; remain: string; exp: string; used: string; exp_used: string }>(
      `SELECT t.id, t.remain_quota::text AS remain,
              (t.granted_quota - COALESCE((SELECT SUM(quota) FROM logs WHERE token_id = t.id AND type = 2), 0)
               - COALESCE((SELECT SUM(held_quota) FROM reservations WHERE token_id = t.id AND status = 1), 0))::text AS exp,
              t.used_quota::text AS used,
              COALESCE((SELECT SUM(quota) FROM logs WHERE token_id = t.id AND type = 2), 0)::text AS exp_used
       FROM tokens t WHERE t.user_id = $1`,
      [userId],
    );
    for (const t of k.rows) {
      if (t.remain !== t.exp) out.push(`key ${t.id} remain ${t.remain} != ${t.exp}`);
      if (t.used !== t.exp_used) out.push(`key ${t.id} used ${t.used} != ${t.exp_used}`);
    }
    return out;
  }

  async tokenStatus(tokenId: number): Promise<number> {
    const { rows } = await this.pool.query<{ status: number }>("SELECT status FROM tokens WHERE id = $1", [tokenId]);
    return rows[0].status;
  }
}
