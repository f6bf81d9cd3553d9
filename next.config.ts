import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // keep the database driver and Prisma's generated client out of the bundle
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
