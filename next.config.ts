import type { NextConfig } from "next";
import { HSTS, HTTPS_FORWARDED, SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // keep the database driver and Prisma's generated client out of the bundle
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis"],
  poweredByHeader: false,
  typedRoutes: false,
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
