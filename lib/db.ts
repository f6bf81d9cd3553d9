import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@/prisma/generated/client";
import { env } from "@/lib/env";

export { Prisma } from "@/prisma/generated/client";

// One Prisma client per process (kept on globalThis so Next's dev reloads do not open new pools).
const g = globalThis as unknown as { tollgatePrisma?: PrismaClient };

function createClient(): PrismaClient {
  const { DATABASE_URL, DATABASE_POOL_SIZE } = env();
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL, max: DATABASE_POOL_SIZE }) });
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    g.tollgatePrisma ??= createClient();
    const value = Reflect.get(g.tollgatePrisma, prop);
    return typeof value === "function" ? value.bind(g.tollgatePrisma) : value;
  },
});

/** the client or an interactive transaction: domain functions take this so callers can pass a tx */
export type Db = PrismaClient | Prisma.TransactionClient;

export async function disconnectDb(): Promise<void> {
  await g.tollgatePrisma?.$disconnect();
  g.tollgatePrisma = undefined;
}
