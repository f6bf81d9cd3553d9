import { env } from "@/lib/env";
import { post } from "@/lib/relay/http-client";

// The framework's ceiling for the relay benchmark (scripts/bench/relay.ts): a route handler that
// only forwards the request to the upstream and its answer back — no key check, no accounting —
// with the relay's own HTTP client, so the two differ by the quota path only.
// /api/bench/forward/v1/chat/completions -> TOLLGATE_BENCH_UPSTREAM/v1/chat/completions.
// Answers 404 unless TOLLGATE_BENCH_UPSTREAM is set.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const upstream = env().TOLLGATE_BENCH_UPSTREAM;
  if (!upstream) return new Response("Not found", { status: 404 });
  const path = (await params).path.join("/");
  const body = await req.text();
  let res;
  try {
    res = await post(`${upstream.replace(/\/+$/, "")}/${path}`, { authorization: "Bearer bench", "content-type": "application/json" }, body, req.signal);
  } catch {
    return new Response(null, { status: req.signal.aborted ? 499 : 502 });
  }
  const contentType = String(res.headers["content-type"] ?? "application/json");
  const headers = { "content-type": contentType };
  if (contentType.includes("text/event-stream")) return new Response(res.stream(), { status: res.status, headers });
  return new Response(await res.text(), { status: res.status, headers });
}
