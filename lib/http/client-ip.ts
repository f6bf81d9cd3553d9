import { clientIpFromHeaders } from "@/lib/relay/client-ip";

// The client's address for route handlers and next-auth's authorize (login rate limits and login
// logs). One rule for the whole app: lib/relay/client-ip.ts (X-Forwarded-For walked from the
// right past TRUSTED_PROXIES; instrumentation.ts appends the socket's peer under `next start`).

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
