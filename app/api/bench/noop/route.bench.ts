// Benchmark-only: compiled by a bench build alone (TOLLGATE_BENCH_ROUTES=1, see next.config.ts).
import { benchNoop } from "@/lib/bench/routes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = benchNoop;
