import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "@/prisma/generated/client";
import { env } from "@/lib/env";

export { Prisma } from "@/prisma/generated/client";

// One connection pool per process, shared by the Prisma client and by the few hot-path statements
// of the billing core that skip Prisma's per-query overhead (~0.8 ms here; see docs/benchmarks.md).
// Kept on globalThis so Next's dev reloads do not open new pools.
const g = globalThis as unknown as { tollgatePool?: pg.Pool; tollgatePrisma?: PrismaClient };

export function pgPool(): pg.Pool {
  if (!g.tollgatePool) {
    const { DATABASE_URL, DATABASE_POOL_SIZE } = env();
    g.tollgatePool = new pg.Pool({ connectionString: DATABASE_URL, max: DATABASE_POOL_SIZE });
    g.tollgatePool.on("error", (e) => console.error("idle database connection failed", e.message));
  }
  return g.tollgatePool;
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    g.tollgatePrisma ??= new PrismaClient({ adapter: new PrismaPg(pgPool()) });
    const value = Reflect.get(g.tollgatePrisma, prop);
    return typeof value === "function" ? value.bind(g.tollgatePrisma) : value;
  },
});

/** the client or an interactive transaction: domain functions take this so callers can pass a tx */
export type Db = PrismaClient | Prisma.TransactionClient;

export async function disconnectDb(): Promise<void> {
  const { tollgatePrisma, tollgatePool } = g;
  g.tollgatePrisma = undefined;
  g.tollgatePool = undefined;
  await tollgatePrisma?.$disconnect();
  await tollgatePool?.end();
}
