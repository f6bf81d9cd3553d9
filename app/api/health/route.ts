import "server-only";
import { db } from "@/lib/db";
import { apiJson } from "@/lib/http/api";

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
    return apiJson({ status: "ok", db: "ok" });
  } catch (e) {
    console.error("health: database check failed", e);
    return apiJson({ status: "error", db: "error" }, { status: 503 });
  } finally {
    clearTimeout(timer);
  }
}
