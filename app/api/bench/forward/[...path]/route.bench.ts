// Benchmark-only: compiled by a bench build alone (TOLLGATE_BENCH_ROUTES=1, see next.config.ts).
import { benchForward } from "@/lib/bench/routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  return benchForward(req, (await params).path);
}
