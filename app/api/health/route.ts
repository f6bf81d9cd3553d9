import { db } from "@/lib/db";
import { json } from "@/lib/http/respond";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const DB_TIMEOUT_MS = 3_000;

/** Liveness and database check for load balancers and the e2e web server: 200 or 503, never a hang. */
export async function GET() {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS);
      }),
    ]);
    return json({ status: "ok", db: "ok" });
  } catch (e) {
    console.error("health: database check failed", e);
    return json({ status: "error", db: "error" }, { status: 503 });
  } finally {
    clearTimeout(timer);
  }
}
