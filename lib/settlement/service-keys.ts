import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { invalidate, onInvalidate } from "@/lib/cache/bus";
import { randomAlphanumeric } from "@/lib/random";

// Credentials of external relay services that use the settlement API: "tgs_" + 48 characters from
// the CSPRNG, shown once; only SHA-256 is stored. Lookups are cached briefly and dropped on every
// node when a key is revoked.

const SERVICE_KEY_PREFIX = "tgs_";
const CACHE_MS = 30_000;

const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

type Cached = { id: number; name: string; at: number } | { id: null; at: number };
const cache = new Map<string, Cached>();
let subscribed = false;

export async function createServiceKey(name: string) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 64) throw new AppError("validation", "Name must be 1 to 64 characters", 400);
  const secret = `${SERVICE_KEY_PREFIX}${randomAlphanumeric(48)}`;
  const row = await db.serviceKey.create({
    data: { name: trimmed, keyHash: hashSecret(secret), keyPrefix: secret.slice(0, 8) },
    select: { id: true, name: true, keyPrefix: true, createdAt: true },
  });
  return { ...row, secret };
}

export async function revokeServiceKey(id: number) {
  const n = await db.serviceKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (n.count !== 1) throw new AppError("not_found", "No active service key with this id", 404);
  invalidate("service-key");
  return { id, revoked: true };
}

export async function listServiceKeys() {
  return db.serviceKey.findMany({
    select: { id: true, name: true, keyPrefix: true, createdAt: true, revokedAt: true, lastUsedAt: true },
    orderBy: { id: "asc" },
  });
}

/** The service key a bearer secret belongs to, or null (unknown or revoked). */
export async function authenticateServiceKey(secret: string): Promise<{ id: number; name: string } | null> {
  if (!subscribed) {
    subscribed = true;
    onInvalidate("service-key", () => cache.clear());
  }
  if (!secret.startsWith(SERVICE_KEY_PREFIX) || secret.length !== SERVICE_KEY_PREFIX.length + 48) return null;
  const hash = hashSecret(secret);
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.id === null ? null : { id: hit.id, name: hit.name };
  const row = await db.serviceKey.findUnique({
    where: { keyHash: hash },
    select: { id: true, name: true, revokedAt: true },
  });
  if (!row || row.revokedAt) {
    cache.set(hash, { id: null, at: Date.now() });
    return null;
  }
  cache.set(hash, { id: row.id, name: row.name, at: Date.now() });
  // last use is informative only: at most one write per cache period
  void db.serviceKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  return { id: row.id, name: row.name };
}
