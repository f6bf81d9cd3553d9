import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this file: migrations run through scripts/migrate.mjs, because the
// CLI's native schema engine cannot be downloaded on our machines.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
