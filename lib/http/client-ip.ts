import { env } from "@/lib/env";
import { compileIpRules, ipAllowed, parseIp, type IpRule } from "@/lib/keys/ip";

// The address of the client behind our own proxies. `next start` puts the socket's peer address in
// X-Forwarded-For when the request has none; a proxy appends its peer to the list. Walking the list
// from the right and skipping the configured TRUSTED_PROXIES gives the first address that no
// proxy of ours vouches for. Caveat: a route handler cannot see the socket, so when Next is exposed
// directly a client that sends its own X-Forwarded-For is believed; put a proxy in front (or a
// server that overwrites the header) where that matters.

let trusted: { text: string; rules: IpRule[] } | undefined;

function trustedRules(): IpRule[] {
  const text = env().TRUSTED_PROXIES;
  if (trusted?.text !== text) trusted = { text, rules: compileIpRules(text) };
  return trusted.rules;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(",") : v;
}

/** normalised text of an address ("::ffff:1.2.3.4" -> "1.2.3.4"), or null when it is not one */
function normalise(text: string): string | null {
  const addr = parseIp(text.trim().replace(/^\[(.*)\]$/, "$1"));
  return addr ? addr.toString() : null;
}

export function clientIpFrom(xForwardedFor: string | undefined, rules: IpRule[]): string {
  const hops = (xForwardedFor ?? "")
    .split(",")
    .map((h) => normalise(h))
    .filter((h): h is string => h !== null);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!ipAllowed(rules, hops[i])) return hops[i];
  }
  // every hop is one of ours (e.g. a local request): the leftmost is the origin
  return hops[0] ?? "unknown";
}

export function clientIp(headers: HeaderBag): string {
  return clientIpFrom(header(headers, "x-forwarded-for"), trustedRules());
}
