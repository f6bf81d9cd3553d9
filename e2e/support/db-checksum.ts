// One hash of every row of every table: the authorization tests take it before and after a pass of
// refused calls, and a refused call must leave it as it was. Shared by the integration matrix
// (tests/authorization.int.test.ts, through Prisma) and the e2e matrix (through pg).

/** runs one SQL text and returns its rows (Prisma's $queryRawUnsafe or a pg pool) */
export type RunSql = (sql: string) => Promise<Record<string, unknown>[]>;

const TABLES_SQL = `SELECT tablename FROM pg_tables
  WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename`;

const tableSql = (table: string) =>
  `SELECT md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS h, count(*) AS n FROM "${table}" t`;

/** "table:rows:hash" per table, one per line, so a difference names its table */
export async function databaseChecksum(run: RunSql): Promise<string> {
  const tables = (await run(TABLES_SQL)).map((r) => String(r.tablename));
  const parts: string[] = [];
  for (const table of tables) {
    const [r] = await run(tableSql(table));
    parts.push(`${table}:${String(r.n)}:${(r.h as string | null) ?? ""}`);
  }
  return parts.join("\n");
}
