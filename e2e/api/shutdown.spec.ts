import net from "node:net";
import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { E2E_PORT } from "../global-setup";
import { nodeReady, startNode } from "../support/node-process";
import { MockUpstream } from "../support/mock-upstream";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// A graceful stop of the production server. scripts/serve.mjs is the server `npm start` runs:
// scripts/start.mjs prepares the database and then ends by running scripts/serve.mjs, so spawning
// serve.mjs here is spawning exactly what `npm start` serves with. It is started on a port of its
// own so the suite's server keeps running. On SIGTERM it stops accepting, lets requests in flight
// finish, writes the settles of every response already sent, and exits 0: nothing served is left
// to the sweeper (which would refund it).

const PORT = E2E_PORT + 7;
const MODEL = "gpt-4-turbo";
const seed = Seed.forSpec();
let upstream: MockUpstream;
let userId: number;
let key: { id: number; key: string };

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  upstream = await MockUpstream.start({ record: false });
  await seed.createChannel({ name: "shutdown", baseUrl: `${upstream.url}/v1`, models: [MODEL] });
  userId = (await seed.createUser({ quota: 4n * QUOTA_PER_USD })).id;
  key = await seed.createKey(userId);
});

test.afterAll(async () => {
  await upstream.close();
  await seed.close();
});

const startServer = (port = PORT) => startNode(port, { REDIS_URL: "" });
const ready = (port = PORT) => nodeReady(port);

/** whether a new TCP connection to the port is accepted */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function openReservations(): Promise<number> {
  const { rows } = await seed.pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM reservations WHERE user_id = $1 AND status = 1",
    [userId],
  );
  return Number(rows[0].n);
}

test("SIGTERM: a stream in flight finishes, every response already sent is settled, then exit 0", async () => {
  const server = startServer();
  try {
    await ready();
    const client = new OpenAI({ apiKey: key.key, baseURL: `http://127.0.0.1:${PORT}/v1`, maxRetries: 0 });
    // answers already sent, whose settles are still on their way when the signal comes
    const answered = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] }),
      ),
    );
    expect(answered).toHaveLength(20);
    // a stream that is still running when the signal comes
    upstream.set({ chunkDelayMs: 300 });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const pieces: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? "");
    })();
    // a slow database: the user's row stays locked until a while after the stream ended, so its
    // settle is still pending when the server would like to exit
    const locker = await seed.pool.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [userId]);
    server.proc.kill("SIGTERM");
    // no new connections (a new TCP connection, not one of fetch's kept-alive ones)
    await expect.poll(() => connects(PORT)).toBe(false);
    await reading;
    expect(pieces.join("")).toBe("Hello from the mock upstream.");
    await new Promise((r) => setTimeout(r, 1_500));
    await locker.query("COMMIT");
    locker.release();
    const code = await server.exited;
    expect(await openReservations()).toBe(0);
    const { rows } = await seed.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM logs WHERE user_id = $1 AND type = 2",
      [userId],
    );
    expect(Number(rows[0].n)).toBe(21);
    expect(await seed.audit(userId)).toEqual([]);
    expect(code).toBe(0);
    expect(server.output()).toContain("[serve] stopped");
  } finally {
    upstream.set({ chunkDelayMs: 0 });
    if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
  }
});

test("SIGKILL of one node: its holds come back through another node's sweeper, and nothing is charged", async () => {
  // short leases, swept every second (restored below: the suite's own server reads them too)
  await seed.setOption("ReservationTtlSeconds", 10);
  await seed.setOption("ReservationSweepSeconds", 1);
  const victim = startServer(PORT);
  const survivor = startServer(PORT + 1);
  try {
    await Promise.all([ready(PORT), ready(PORT + 1)]);
    const start = await seed.balances(userId, key.id);
    upstream.set({ chunkDelayMs: 500 });
    const client = new OpenAI({ apiKey: key.key, baseURL: `http://127.0.0.1:${PORT}/v1`, maxRetries: 0 });
    const streams = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], stream: true }),
      ),
    );
    // each stream has begun: its hold is taken
    await Promise.all(streams.map(async (s) => (await s[Symbol.asyncIterator]().next()).done));
    const { rows: open } = await seed.pool.query<{ id: string; request_id: string }>(
      "SELECT id::text, request_id FROM reservations WHERE user_id = $1 AND status = 1",
      [userId],
    );
    expect(open).toHaveLength(5);
    expect((await seed.balances(userId, key.id)).quota).toBeLessThan(start.quota);
    victim.proc.kill("SIGKILL");
    await victim.exited;
    // within one lease and a sweep, every hold is back, each with a refund log; nothing was charged
    await expect
      .poll(
        async () =>
          (await seed.pool.query("SELECT 1 FROM reservations WHERE user_id = $1 AND status = 1", [userId])).rowCount,
        {
          timeout: 30_000,
          intervals: [500],
        },
      )
      .toBe(0);
    const { rows: closed } = await seed.pool.query<{ status: number }>(
      "SELECT status FROM reservations WHERE id = ANY($1::bigint[])",
      [open.map((r) => r.id)],
    );
    expect(closed.map((r) => r.status)).toEqual([4, 4, 4, 4, 4]);
    const { rows: refunds } = await seed.pool.query<{
      request_id: string;
      quota: string;
      other: Record<string, unknown>;
    }>("SELECT request_id, quota::text, other FROM logs WHERE user_id = $1 AND type = 6 AND request_id = ANY($2)", [
      userId,
      open.map((r) => r.request_id),
    ]);
    expect(refunds).toHaveLength(5);
    for (const r of refunds)
      expect(r).toMatchObject({ quota: "0", other: expect.objectContaining({ expired: true, owner: "relay" }) });
    expect(await seed.balances(userId, key.id)).toEqual(start);
    expect(await seed.audit(userId)).toEqual([]);
  } finally {
    upstream.set({ chunkDelayMs: 0 });
    await seed.setOption("ReservationTtlSeconds", 120);
    await seed.setOption("ReservationSweepSeconds", 30);
    for (const s of [victim, survivor])
      if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGKILL");
  }
});
