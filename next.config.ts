import type { NextConfig } from "next";
import { buildEnv } from "./lib/env";

// A bench build (TOLLGATE_BENCH_ROUTES=1, made by scripts/bench) also compiles the benchmark-only
// route files, app/api/bench/**/route.bench.ts, and lives in its own folder so that a normal build
// (`next build`, `npm start`, the tests) never contains them and never is one.
const bench = buildEnv().TOLLGATE_BENCH_ROUTES === "1";

// Security headers on every response: pages, /api and /v1 route handlers, static files, 404s.
// Applied by Next's router before any handler runs, so relay responses built by lib code as Web
// Responses get them too, at no cost on the relay path.
//
// The CSP restricts what does not need Next's inline scripts (no script-src: the app would need a
// nonce per request to hydrate): no framing (clickjacking), no plugins, no <base> or form posts
// to other sites.
const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

// HSTS only when the request reached the TLS-terminating proxy over https (`next start` itself
// speaks plain http). The header is safe to trust without checking the proxy: browsers ignore
// Strict-Transport-Security received over plain http, so a forged X-Forwarded-Proto changes
// nothing. No includeSubDomains: other hosts of the operator's domain are theirs to decide.
const HSTS = { key: "Strict-Transport-Security", value: "max-age=31536000" };

const nextConfig: NextConfig = {
  // keep the database driver and Prisma's generated client out of the bundle
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis"],
  poweredByHeader: false,
  typedRoutes: false,
  pageExtensions: bench ? ["bench.ts", "tsx", "ts", "jsx", "js"] : ["tsx", "ts", "jsx", "js"],
  distDir: bench ? ".next-bench" : ".next",
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      {
        source: "/:path*",
        // the first proxy's protocol leads a comma-separated list; matched as ^value$
        has: [{ type: "header", key: "x-forwarded-proto", value: "(?:https|HTTPS)(?:\\s*,.*)?" }],
        headers: [HSTS],
      },
    ];
  },
};

export default nextConfig;
