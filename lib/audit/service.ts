import "server-only";
import { db, type Db } from "@/lib/db";
import type { QuotaChange } from "@/lib/quota/credits";

// The admin audit trail. Every admin write records one row in the transaction of the write (pass
// the transaction client), naming the operator, the action, the target and the values before and
// after. Values under a secret name (a channel key, a webhook secret, an API token) are masked
// before they are stored: the trail shows that a secret changed, never the secret.

export type AuditOperator = { id: number | null; username: string };

/** the operator of writes made from the command line (npm run tollgate) */
export const CLI_OPERATOR: AuditOperator = { id: null, username: "cli" };

export type AuditEntry = {
  /** "user.update", "user.quota_add", "channel.create", "option.update", "redemption.create", ... */
  action: string;
  targetType: "user" | "channel" | "option" | "redemption" | "key" | "system";
  targetId: string | number;
  before?: unknown;
  after?: unknown;
  ip?: string;
};

/** the last word of a name that holds a secret: WebhookSecret, SMTPPassword, api_key, TurnstileSecretKey */
const SECRET_LAST_WORD = new Set([
  "key",
  "keys",
  "apikey",
  "secret",
  "secrets",
  "token", // not "tokens": prompt_tokens, MaxUserTokens are counts
  "password",
  "passwords",
  "passwd",
  "pwd",
  "credential",
  "credentials",
]);
/** a word that makes any name a secret wherever it stands: PasswordHash, secret_access_id */
const SECRET_ANY_WORD = new Set(["password", "passwd", "secret"]);
/** names (lower case, no separators) that hold secrets without saying so: URLs with credentials, headers */
const SECRET_NAMES = new Set(["authorization", "cookie", "dsn", "databaseurl", "redisurl", "smtpauth"]);

/** "TurnstileSecretKey" → ["turnstile", "secret", "key"]; "SMTPPassword" → ["smtp", "password"] */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** whether a field or option of this name holds a secret, in any case style (camel, Pascal, snake, kebab) */
export function isSecretName(name: string): boolean {
  const words = wordsOf(name);
  if (!words.length) return false;
  return (
    SECRET_NAMES.has(words.join("")) ||
    SECRET_LAST_WORD.has(words[words.length - 1]) ||
    words.some((w) => SECRET_ANY_WORD.has(w))
  );
}

/** a value for the trail: secrets under a secret-looking name masked, bigint as text, nested values too */
export function auditValue(value: unknown, name = ""): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (isSecretName(name) && value !== null && value !== "") return maskSecret(String(value));
  if (Array.isArray(value)) return value.map((v) => auditValue(v));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, auditValue(v, k)]));
  }
  return value;
}

/** "sk-a…9f2c": enough to tell two secrets apart, never enough to use one */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "••••";
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

export async function recordAdminAction(tx: Db, operator: AuditOperator, entry: AuditEntry): Promise<void> {
  await tx.adminAudit.create({
    data: {
      operatorId: operator.id,
      operator: operator.username.slice(0, 32),
      action: entry.action,
      targetType: entry.targetType,
      targetId: String(entry.targetId).slice(0, 128),
      before: entry.before === undefined ? undefined : (auditValue(entry.before) as object),
      after: entry.after === undefined ? undefined : (auditValue(entry.after) as object),
      ip: entry.ip ?? "",
    },
  });
}

/** the audit trail's name of each wallet change (the manage log keeps new-api's names) */
const QUOTA_AUDIT_ACTION = { add: "user.quota_add", subtract: "user.quota_subtract", set: "user.quota_set" } as const;

/**
 * The audit row of an add / subtract / set of a wallet, for adjustUserQuota's `inTransaction`: it
 * is written in the transaction of the balance change, so the two commit or roll back together.
 */
export function auditQuotaChange(operator: AuditOperator, ip?: string) {
  return (tx: Db, c: QuotaChange) =>
    recordAdminAction(tx, operator, {
      action: QUOTA_AUDIT_ACTION[c.mode],
      targetType: "user",
      targetId: c.userId,
      before: { quota: c.from },
      after: { quota: c.to, ...(c.mode === "set" ? {} : { amount: c.amount }), reason: c.reason },
      ip,
    });
}

export type AdminAuditDTO = {
  id: string;
  createdAt: string;
  operatorId: number | null;
  operator: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  ip: string;
};

/** The trail, newest first, filtered; `cursor` is the id of the last row shown. */
export async function listAdminAudits(
  filters: { operator?: string; action?: string; targetType?: string; targetId?: string } = {},
  opts: { cursor?: bigint | null; limit?: number } = {},
): Promise<{ items: AdminAuditDTO[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 100);
  const rows = await db.adminAudit.findMany({
    where: {
      ...(filters.operator ? { operator: filters.operator } : {}),
      ...(filters.action ? { action: { startsWith: filters.action } } : {}),
      ...(filters.targetType ? { targetType: filters.targetType } : {}),
      ...(filters.targetId ? { targetId: filters.targetId } : {}),
      ...(opts.cursor ? { id: { lt: opts.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt.toISOString(),
      operatorId: r.operatorId,
      operator: r.operator,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      before: r.before,
      after: r.after,
      ip: r.ip,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id.toString() : null,
  };
}
