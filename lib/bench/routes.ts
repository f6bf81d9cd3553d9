import { env } from "@/lib/env";
import { post } from "@/lib/relay/http-client";

// The benchmark-only routes (scripts/bench). Their route files (app/api/bench/**/route.bench.ts)
// are compiled only by a bench build, `TOLLGATE_BENCH_ROUTES=1 next build`, which next.config.ts
// writes to .next-bench: a normal build has no such routes at all. Even in a bench build each one
// answers 404 unless its runtime flag is set too.

const notFound = () => new Response("Not found", { status: 404 });

/** POST /api/bench/noop: a route handler that does nothing (the framework's ceiling); needs TOLLGATE_BENCH=1. */
export async function benchNoop(req: Request): Promise<Response> {
  if (env().TOLLGATE_BENCH !== "1") return notFound();
  await req.text();
  return Response.json({ success: true, data: null });
}

/**
 * The upstream URL of a forwarded path, or null when a segment could leave the upstream's path
 * (`..`, `.`, an empty segment, or a slash that Next decoded from %2F).
 */
export function forwardTarget(upstream: string, segments: readonly string[]): string | null {
  if (segments.length === 0) return null;
  if (segments.some((s) => s === "" || s === "." || s === ".." || /[/\\]/.test(s))) return null;
  return `${upstream.replace(/\/+$/, "")}/${segments.map(encodeURIComponent).join("/")}`;
}

/**
 * POST /api/bench/forward/<path>: the relay benchmark's framework ceiling (scripts/bench/relay.ts),
 * a handler that only forwards the request to TOLLGATE_BENCH_UPSTREAM/<path> and its answer back
 * (no key check, no accounting) with the relay's own HTTP client, so that it and the relay differ
 * by the quota path only. 404 unless TOLLGATE_BENCH_UPSTREAM is set.
 */
export async function benchForward(req: Request, segments: readonly string[]): Promise<Response> {
  const upstream = env().TOLLGATE_BENCH_UPSTREAM;
  if (!upstream) return notFound();
  const url = forwardTarget(upstream, segments);
  if (!url) return new Response("Bad path", { status: 400 });
  const body = await req.text();
  let res;
  try {
    res = await post(url, { authorization: "Bearer bench", "content-type": "application/json" }, body, req.signal);
  } catch {
    return new Response(null, { status: req.signal.aborted ? 499 : 502 });
  }
  const contentType = String(res.headers["content-type"] ?? "application/json");
  const headers = { "content-type": contentType };
  if (contentType.includes("text/event-stream")) return new Response(res.stream(), { status: res.status, headers });
  return new Response(await res.text(), { status: res.status, headers });
}
