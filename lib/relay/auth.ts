import "server-only";
import { db } from "@/lib/db";
import { authorizeKey, type AuthorizedKey } from "@/lib/keys/authorize";
import { keyBody } from "@/lib/keys/crypto";
import type { Options } from "@/lib/options/schemas";
import { emptyWalletError } from "@/lib/quota/reserve";
import { AppError } from "@/lib/errors";

// Key checks of a relay call: the key is taken from the request and checked by
// lib/keys/authorize (shared with the settlement API; the checks in order, a distinct code per case,
// cached lookup). The model check, last in that order, runs once the body has been read.

export type RelayKey = {
  key: AuthorizedKey;
  /** the group the request is routed and priced in: the key's group, else the user's */
  usingGroup: string;
};

/**
 * The key of a request: `Authorization: Bearer sk-…` (or the bare key); on the /v1/models routes
 * an `x-api-key` header wins. Returns the raw text, or null when there is none.
 */
export function extractKey(headers: Headers, pathname: string): string | null {
  if (pathname.startsWith("/v1/models") || pathname.startsWith("/v1/messages")) {
    const x = headers.get("x-api-key");
    if (x && x.trim()) return x.trim();
  }
  const auth = headers.get("authorization");
  if (!auth) return null;
  const v = auth
    .trim()
    .replace(/^bearer(\s+|$)/i, "")
    .trim();
  return v || null;
}

/** `sk-<48>` or new-api's `sk-<48>-<channel id>` -> body and channel id */
export function splitKey(raw: string): { body: string | null; channelId: number | null } {
  const text = raw.startsWith("sk-") ? raw.slice(3) : raw;
  const dash = text.indexOf("-");
  if (dash === -1) return { body: keyBody(text), channelId: null };
  const suffix = text.slice(dash + 1);
  if (!/^\d{1,9}$/.test(suffix)) return { body: null, channelId: null };
  return { body: keyBody(text.slice(0, dash)), channelId: Number(suffix) };
}

/** The key of a request, checked by authorizeKey (readOnly: a key may still read its own usage when expired or exhausted). */
export async function authenticateKey(
  headers: Headers,
  pathname: string,
  clientIp: string,
  readOnly = false,
): Promise<RelayKey> {
  const raw = extractKey(headers, pathname);
  const { body, channelId } = raw ? splitKey(raw) : { body: null, channelId: null };
  // a malformed key is looked up as what it is: not found
  const key = await authorizeKey(raw ? (body ?? raw) : null, { clientIp, readOnly });
  if (channelId !== null) {
    // new-api lets admins pin a channel with a key suffix; Tollgate routes every request itself
    throw new AppError("channel_pin_forbidden", "Choosing a channel through the key is not supported", 403);
  }
  return { key, usingGroup: key.usingGroup };
}

/** The key's model allow-list (an enabled but empty list allows nothing). */
export function assertModelAllowed(key: AuthorizedKey, model: string): void {
  if (key.modelLimitsEnabled && !key.modelLimits.has(model)) {
    throw new AppError("model_not_allowed", `This API key has no access to model ${model}`, 403);
  }
}

/**
 * The balance sign, checked before the relay spends work on a request (counting a long prompt): a
 * wallet at or below zero is refused as the reserve would refuse it. The wallet cached with the
 * key may lag a credit made on another node, so an empty one is read again before the refusal.
 */
export async function assertWalletNotEmpty(key: AuthorizedKey, options: Options): Promise<void> {
  if (key.user.quota > 0n) return;
  const user = await db.user.findUnique({ where: { id: key.userId }, select: { quota: true } });
  const quota = user?.quota ?? 0n;
  if (quota <= 0n) throw emptyWalletError(quota, options);
}
