import type { NextConfig } from "next";
import { buildEnv } from "./lib/env";
import { HSTS, HTTPS_FORWARDED, SECURITY_HEADERS } from "./lib/http/security-headers";

// A bench build (TOLLGATE_BENCH_ROUTES=1, made by scripts/bench) also compiles the benchmark-only
// route files, app/api/bench/**/route.bench.ts, and lives in its own folder so that a normal build
// (`next build`, `npm start`, the tests) never contains them and never is one.
const bench = buildEnv().TOLLGATE_BENCH_ROUTES === "1";

const nextConfig: NextConfig = {
  // keep the database driver and Prisma's generated client out of the bundle
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis"],
  poweredByHeader: false,
  typedRoutes: false,
  pageExtensions: bench ? ["bench.ts", "tsx", "ts", "jsx", "js"] : ["tsx", "ts", "jsx", "js"],
  distDir: bench ? ".next-bench" : ".next",
  async headers() {
    return [
      // lib/http/security-headers.ts: the fast path sends the same
      { source: "/:path*", headers: [...SECURITY_HEADERS] },
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: HTTPS_FORWARDED }],
        headers: [HSTS],
      },
    ];
  },
};

export default nextConfig;
