import { db } from "@/lib/db";
import { resetOptionsCache } from "@/lib/options/service";

/** Empties every application table (not the migrations table) and forgets cached options. */
export async function truncateAll(): Promise<void> {
  const rows = await db.$queryRaw<{ tablename: string }[]>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  if (rows.length) {
    await db.$executeRawUnsafe(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
  }
  resetOptionsCache();
}
