// Runs once when a Next server process starts (not during the build).
export async function register() {
  // NEXT_RUNTIME is set by Next itself ("nodejs" or "edge", per runtime it loads this file in), not
  // by the operator: it is not configuration, so it is read here rather than through lib/env.ts.
  // The hook, the workers and the fast path exist only in Node.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installForwardedForHook } = await import("@/lib/http/peer-hook");
  installForwardedForHook();
  // the token encoders take a few hundred milliseconds to build: at start, not in a request
  const { warmTokenizers } = await import("@/lib/relay/tokenizer");
  await warmTokenizers();
  const { startWorkers } = await import("@/lib/workers");
  startWorkers();
  // the production server (scripts/serve.mjs) answers /v1 and /api/settlement with this, not Next's router
  const { serveFast } = await import("@/lib/server/fast-path");
  (globalThis as { tollgateServeFast?: typeof serveFast }).tollgateServeFast = serveFast;
}
