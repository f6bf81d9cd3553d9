// A separate process running one outbox worker pass (lib/notifications/notifications.int.test.ts
// starts two at once to prove two processes never send the same row, and kills one in the middle
// of a send to prove the row is delivered by the next). Prints "ready", waits for a line on stdin,
// then prints the number of rows it processed. OUTBOX_LEASE_MS sets the lease of its claims.
import { MemoryRateLimitStore } from "@/lib/cache/rate-limit";
import { disconnectDb } from "@/lib/db";
import { OutboxWorker } from "@/lib/notifications/outbox";

const worker = new OutboxWorker({
  batch: 3,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  limit: { count: 1_000, windowMs: 60_000 },
  store: new MemoryRateLimitStore(),
  ...(process.env.OUTBOX_LEASE_MS ? { leaseMs: Number(process.env.OUTBOX_LEASE_MS) } : {}),
});
// both processes start draining at the same moment: "ready" once loaded and connected, then wait for a line on stdin
await worker.claim(0);
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.destroy();
const n = await worker.runOnce();
process.stdout.write(`${n}\n`);
await disconnectDb();
