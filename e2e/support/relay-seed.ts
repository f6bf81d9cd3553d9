import { createHash, randomBytes, randomInt } from "node:crypto";
import pg from "pg";
import { E2E_DATABASE_URL } from "../global-setup";

// Seeding for the relay api specs, straight in the e2e database. Every spec works in a group of its
// own (its users, keys and channels), so the channels of one spec never serve another. Balances
// are credited with a manage log, as the billing core does, so the ledger invariant holds for the
// seeded users from the first row.

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const QUOTA_PER_USD = 500_000n;

export type SeededKey = { id: number; key: string };

export class RelaySeed {
  readonly pool = new pg.Pool({ connectionString: E2E_DATABASE_URL, max: 4 });
  /** the group of this spec's users and channels */
  readonly group = `e2e_${randomBytes(4).toString("hex")}`;

  async close() {
    await this.pool.end();
  }

  async createUser(opts: { quota?: bigint; status?: number } = {}): Promise<number> {
    const name = `relay_${randomBytes(5).toString("hex")}`;
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO users (username, password_hash, display_name, "group", status, aff_code)
         VALUES ($1, '!', $1, $2, $3, $4) RETURNING id`,
        [name, this.group, opts.status ?? 1, randomBytes(6).toString("hex")],
      );
      const id = rows[0].id;
      if (opts.quota && opts.quota > 0n) {
        await client.query("UPDATE users SET quota = quota + $2 WHERE id = $1", [id, String(opts.quota)]);
        await client.query(
          `INSERT INTO logs (user_id, type, username, quota, content) VALUES ($1, 3, $2, $3, 'e2e seed')`,
          [id, name, String(opts.quota)],
        );
      }
      await client.query("COMMIT");
      return id;
    } catch (e) {
      await client.query("ROLLBACK");
      throw e;
    } finally {
      client.release();
    }
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
    } = {},
  ): Promise<SeededKey> {
    let body = "";
    for (let i = 0; i < 48; i++) body += ALNUM[randomInt(ALNUM.length)];
    const remain = String(opts.remain ?? 0n);
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO tokens (user_id, key_hash, key_prefix, key_last4, status, name, expired_time, remain_quota, granted_quota,
                           unlimited_quota, model_limits_enabled, model_limits, allow_ips, "group")
       VALUES ($1, $2, $3, $4, $5, 'e2e key', $6, $7, $7, $8, $9, $10, $11, $12) RETURNING id`,
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
      ],
    );
    return { id: rows[0].id, key: `sk-${body}` };
  }

  async createChannel(c: {
    name: string;
    baseUrl: string;
    models: string[];
    priority?: number;
    weight?: number;
    modelMapping?: Record<string, string>;
    key?: string;
  }) {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO channels (name, base_url, key, models, groups, priority, weight, model_mapping, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING id`,
      [
        c.name,
        c.baseUrl,
        c.key ?? `sk-${c.name}-upstream-secret`,
        c.models,
        [this.group],
        c.priority ?? 0,
        c.weight ?? 1,
        JSON.stringify(c.modelMapping ?? {}),
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

  async setOption(key: string, value: unknown) {
    await this.pool.query(
      `INSERT INTO options (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }

  async wallet(userId: number, tokenId: number) {
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
