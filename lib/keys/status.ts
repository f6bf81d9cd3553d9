import "server-only";
import { db } from "@/lib/db";
import { invalidate } from "@/lib/cache/bus";
import { TOKEN_STATUS } from "./schemas";

// Persisting that a key expired or ran out (SPEC §5: the portal must show it; new-api never wrote
// it with Redis on, §13.8). This is a status change, not a balance change. Each is one conditional
// UPDATE that re-checks the condition in the database, so a stale cached copy of the key can never
// disable a key that is in fact still valid: it returns false and the caller reloads the key.

export async function markKeyExpired(tokenId: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE tokens SET status = ${TOKEN_STATUS.expired}
    WHERE id = ${tokenId} AND status = ${TOKEN_STATUS.enabled}
      AND expired_time <> -1 AND expired_time < ${nowSeconds}`;
  invalidate("key", tokenId);
  return n > 0;
}

export async function markKeyExhausted(tokenId: number): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE tokens SET status = ${TOKEN_STATUS.exhausted}
    WHERE id = ${tokenId} AND status = ${TOKEN_STATUS.enabled}
      AND NOT unlimited_quota AND remain_quota <= 0`;
  invalidate("key", tokenId);
  return n > 0;
}
