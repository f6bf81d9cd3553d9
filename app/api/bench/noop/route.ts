// The framework's own ceiling for the benchmarks (scripts/bench): a route handler that does
// nothing. Answers 404 unless the server was started with TOLLGATE_BENCH=1.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  if (process.env.TOLLGATE_BENCH !== "1") return new Response("Not found", { status: 404 });
  await req.text();
  return Response.json({ success: true, data: null });
}
