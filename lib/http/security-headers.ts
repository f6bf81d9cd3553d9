// Security headers on every response: pages, /api and /v1, static files, 404s. Next's router
// applies them (next.config.ts headers()) to what it serves; the fast path (lib/server/fast-path.ts) applies
// the same list to what it serves before Next sees the request.
//
// The CSP restricts what does not need Next's inline scripts (no script-src: the app would need a
// nonce per request to hydrate): no framing (clickjacking), no plugins, no <base> or form posts
// to other sites.
const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

// HSTS only when the request reached the TLS-terminating proxy over https (the server itself
// speaks plain http). The header is safe to trust without checking the proxy: browsers ignore
// Strict-Transport-Security received over plain http, so a forged X-Forwarded-Proto changes
// nothing. No includeSubDomains: other hosts of the operator's domain are theirs to decide.
export const HSTS = { key: "Strict-Transport-Security", value: "max-age=31536000" };

/** the first proxy's protocol leads a comma-separated list (Next matches this as ^value$) */
export const HTTPS_FORWARDED = "(?:https|HTTPS)(?:\\s*,.*)?";
