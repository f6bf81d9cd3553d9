// Runs once when a Next server process starts (not during the build).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installForwardedForHook } = await import("@/lib/relay/peer-hook");
  installForwardedForHook();
  const { startWorkers } = await import("@/lib/workers");
  startWorkers();
}
