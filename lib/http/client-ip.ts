import { env } from "@/lib/env";
import { compileIpRules, ipAllowed, parseIp, type IpRule } from "@/lib/net/ip";

// The client's address for IP allow-lists and IP logs: the socket's peer, or — only when
// that peer is one of TRUSTED_PROXIES (none unless the operator sets it) — what the proxies wrote
// into X-Forwarded-For. Each proxy
// appends the address it received the request from, so the list is walked from the right: every
// hop a trusted proxy vouches for is believed, and the first address that is not a trusted proxy
// is the client. Nothing a client writes into the header itself is believed unless it reached us
// through trusted proxies only.
//
// Behind Next's request handler a route handler cannot see the socket: Next sets X-Forwarded-For
// to the peer address only when the request has no such header (`??=` in base-server.js), so a
// client talking to Next directly could name any address. `installForwardedForHook()`
// (peer-hook.ts, run from instrumentation.ts) closes that hole by appending the real peer to the
// header before Next sees the request, exactly as a proxy would; the last hop is then always the
// socket's peer.

let cached: { text: string; rules: IpRule[] } | undefined;

function trustedProxyRules(): IpRule[] {
  const text = env().TRUSTED_PROXIES;
  if (cached?.text !== text) cached = { text, rules: compileIpRules(text) };
  return cached.rules;
}

/** "::ffff:1.2.3.4" -> "1.2.3.4", "[::1]" -> "::1"; null when it is not an address */
function normalise(text: string): string | null {
  const t = text.trim().replace(/^\[(.*)\]$/, "$1");
  const addr = parseIp(t);
  return addr ? addr.toString() : null;
}

/**
 * @param peer the socket's remote address; undefined when the caller only has headers (then the
 *   last X-Forwarded-For hop is the peer, see above)
 * @returns the client address, or "unknown" when it cannot be told (an unparseable hop)
 */
export function resolveClientIp(
  peer: string | undefined,
  xForwardedFor: string | null | undefined,
  trusted: IpRule[],
): string {
  const hops = xForwardedFor ? xForwardedFor.split(",") : [];
  if (peer !== undefined) hops.push(peer);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalise(hops[i]);
    if (hop === null) return "unknown";
    // the leftmost hop has nobody before it to vouch for: it is the client even if it is "trusted"
    if (i === 0 || !ipAllowed(trusted, hop)) return hop;
  }
  return "unknown";
}

/** For mounts that only see headers (Next route handlers). */
export function clientIpFromHeaders(headers: Headers): string {
  return resolveClientIp(undefined, headers.get("x-forwarded-for"), trustedProxyRules());
}

/** For a plain Node server that has the socket. */
export function clientIpFromSocket(remoteAddress: string | undefined, headers: Headers): string {
  return resolveClientIp(remoteAddress ?? "", headers.get("x-forwarded-for"), trustedProxyRules());
}

// For route handlers and next-auth's authorize (login rate limits and login logs), which may get
// the headers as a plain object.

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function toHeaders(bag: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [name, value] of Object.entries(bag)) {
    if (value === undefined) continue;
    h.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return h;
}

export function clientIp(headers: HeaderBag): string {
  return clientIpFromHeaders(headers instanceof Headers ? headers : toHeaders(headers));
}
