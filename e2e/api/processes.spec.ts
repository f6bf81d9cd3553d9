import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { E2E_PORT } from "../global-setup";
import { MockUpstream } from "../support/mock-upstream";
import { killNode, nodeReady, startNode } from "../support/node-process";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// TOLLGATE_PROCESSES: the production server forks that many processes sharing one port. They
// need Redis to keep their caches coherent; each gets a share of the database's connections.

const PORT = E2E_PORT + 31;
const REDIS_URL = process.env.E2E_REDIS_URL || "redis://127.0.0.1:6379";
const MODEL = "gpt-4-turbo";
const seed = Seed.forSpec();

test.afterAll(async () => {
  await seed.close();
});

test("without Redis, more than one process is refused with a clear message", async () => {
  const node = startNode(PORT, { TOLLGATE_PROCESSES: "2", REDIS_URL: "" });
  expect(await node.exited).toBe(2);
  expect(node.output()).toContain("TOLLGATE_PROCESSES=2 needs REDIS_URL");
});

test("a malformed count is refused", async () => {
  const node = startNode(PORT, { TOLLGATE_PROCESSES: "two", REDIS_URL });
  expect(await node.exited).toBe(2);
  expect(node.output()).toContain('TOLLGATE_PROCESSES must be a whole number from 1 to 64 or "auto"');
});

test("two processes on one port relay and settle every request, queue one low-balance alert between them, and stop together on SIGTERM", async () => {
  const upstream = await MockUpstream.start({ record: false });
  const node = startNode(PORT, { TOLLGATE_PROCESSES: "2", REDIS_URL, DATABASE_POOL_SIZE: "4" });
  try {
    await seed.createChannel({ name: "processes", baseUrl: `${upstream.url}/v1`, models: [MODEL] });
    const user = (await seed.createUser({ quota: 4n * QUOTA_PER_USD })).id;
    const key = await seed.createKey(user);
    // a low-balance threshold just under the balance: the first settle crosses it, and the 20
    // settles that both processes run at once must queue exactly one alert between them
    await seed.pool.query(
      "UPDATE users SET setting = COALESCE(setting, '{}'::jsonb) || jsonb_build_object('quota_warning_threshold', $2::bigint) WHERE id = $1",
      [user, (4n * QUOTA_PER_USD - 1n).toString()],
    );
    await nodeReady(PORT);
    expect(node.output()).toContain("[serve] 2 processes, 4 database connections each");
    const children = spawnSync("pgrep", ["-P", String(node.proc.pid)], { encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    expect(children).toHaveLength(2);
    const client = new OpenAI({ apiKey: key.key, baseURL: `http://127.0.0.1:${PORT}/v1`, maxRetries: 0 });
    // fresh connections each, so the primary hands them to both processes; the upstream holds its
    // answers for a while, so the connections each process opened to it can be seen meanwhile
    upstream.set({ delayMs: 1_500 });
    const pending = Promise.all(
      Array.from({ length: 20 }, () =>
        client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] }),
      ),
    );
    const callers = new Set<string>();
    for (let i = 0; i < 20 && callers.size < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      for (const pid of processesConnectedTo(new URL(upstream.url).port)) callers.add(pid);
    }
    expect([...callers].sort()).toEqual([...children].sort());
    const answers = await pending;
    expect(answers.every((a) => a.choices[0].message.content === "Hello from the mock upstream.")).toBe(true);
    await seed.settled(user);
    const { rows } = await seed.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM logs WHERE user_id = $1 AND type = 2",
      [user],
    );
    expect(Number(rows[0].n)).toBe(20);
    expect(await seed.audit(user)).toEqual([]);
    const alerts = await seed.pool.query<{ payload: { threshold: string; balance: string } }>(
      "SELECT payload FROM notifications WHERE user_id = $1 AND kind = 'quota_exceed'",
      [user],
    );
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0].payload.threshold).toBe((4n * QUOTA_PER_USD - 1n).toString());
    expect(BigInt(alerts.rows[0].payload.balance)).toBeLessThan(4n * QUOTA_PER_USD - 1n);
    node.proc.kill("SIGTERM");
    expect(await node.exited).toBe(0);
    expect(node.output().match(/\[serve\] stopped/g)).toHaveLength(2);
  } finally {
    killNode(node);
    await upstream.close();
  }
});

/** The processes holding a TCP connection to 127.0.0.1:port (ss, from the socket table). */
function processesConnectedTo(port: string): string[] {
  const out = spawnSync("ss", ["-tnpH", "state", "established", `( dport = :${port} )`], { encoding: "utf8" }).stdout;
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => m[1]))];
}
