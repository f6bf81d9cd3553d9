import { spawnSync } from "node:child_process";
import pg from "pg";
import { ensureDatabase } from "../tests/int-global-setup";

// Where the e2e server and the specs keep their data, and how the server is reached. Specs import
// these to seed (never the developer's DATABASE_URL).
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/tollgate_e2e";
/** the fake Resend API of the notification specs (the server is started with RESEND_BASE_URL pointing at it) */
export const E2E_RESEND_PORT = Number(process.env.E2E_RESEND_PORT ?? E2E_PORT + 17);
export const E2E_NEXTAUTH_SECRET = "tollgate-e2e-secret-0123456789abcdef";

/** Creates the e2e database if missing, applies the migrations and empties every application table. */
export default async function globalSetup() {
  await ensureDatabase(E2E_DATABASE_URL);
  const r = spawnSync(process.execPath, ["scripts/migrate.mjs", "deploy"], {
    env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`e2e migrations failed:\n${r.stdout}\n${r.stderr}`);

  const client = new pg.Client({ connectionString: E2E_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
    );
    if (rows.length) {
      await client.query(
        `TRUNCATE ${rows.map((t) => `"${t.tablename.replace(/"/g, '""')}"`).join(", ")} RESTART IDENTITY CASCADE`,
      );
    }
  } finally {
    await client.end();
  }
}
