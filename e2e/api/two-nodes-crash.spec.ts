import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { E2E_DATABASE_URL, E2E_PORT } from "../global-setup";
import { MockUpstream } from "../support/mock-upstream";
import { killNode, nodeReady, startNode, type AppNode } from "../support/node-process";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// Two app nodes on one PostgreSQL and one Redis, both serving streams and plain requests of two
// users at once: one whose wallet is far above the trust threshold (served without a reserve) and
// one below it (every request holds its estimate). One node is killed with SIGKILL while its
// streams are running. Afterwards: every request the other node served is charged exactly once,
// the dead node's holds came back through the survivor's sweeper, no hold stays open, no request
// id is charged twice, and `ledger:audit` finds every balance equal to its ledger.

const PORT_A = E2E_PORT + 21;
const PORT_B = E2E_PORT + 22;
const REDIS_URL = process.env.E2E_REDIS_URL || "redis://127.0.0.1:6379";
const MODEL = "gpt-4-turbo";
const seed = Seed.forSpec();
let upstream: MockUpstream;
const nodes: AppNode[] = [];

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  upstream = await MockUpstream.start({ record: false });
  await seed.createChannel({ name: "two-nodes", baseUrl: `${upstream.url}/v1`, models: [MODEL] });
});

test.afterAll(async () => {
  for (const n of nodes) killNode(n);
  await upstream.close();
  await seed.close();
});

type Outcome = { ok: boolean };

async function run(client: OpenAI, stream: boolean, started?: () => void): Promise<Outcome> {
  try {
    if (!stream) {
      await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] });
      return { ok: true };
    }
    const s = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let first = true;
    for await (const _chunk of s) {
      if (first) started?.();
      first = false;
    }
    return { ok: true };
  } catch {
    started?.();
    return { ok: false };
  }
}

test("SIGKILL of one of two busy nodes: nothing lost, nothing charged twice, no hold left open", async () => {
  await seed.setOption("ReservationTtlSeconds", 10);
  await seed.setOption("ReservationSweepSeconds", 1);
  const rich = (await seed.createUser({ quota: 100n * QUOTA_PER_USD })).id;
  const modest = (await seed.createUser({ quota: 4n * QUOTA_PER_USD })).id;
  const users = [rich, modest];
  const keys = await Promise.all(users.map((u) => seed.createKey(u)));
  const start = await Promise.all(users.map((u, i) => seed.balances(u, keys[i].id)));
  const victim = startNode(PORT_A, { REDIS_URL });
  const survivor = startNode(PORT_B, { REDIS_URL });
  nodes.push(victim, survivor);
  try {
    await Promise.all([nodeReady(PORT_A), nodeReady(PORT_B)]);
    const client = (port: number, i: number) =>
      new OpenAI({ apiKey: keys[i].key, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });

    // plain requests on both nodes, settled before anything else happens
    const plain = await Promise.all(
      [PORT_A, PORT_B].flatMap((port) => users.flatMap((_u, i) => [1, 2, 3].map(() => run(client(port, i), false)))),
    );
    expect(plain.every((o) => o.ok)).toBe(true);
    const consumeLogs = async (u: number) =>
      Number(
        (
          await seed.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM logs WHERE user_id = $1 AND type = 2", [
            u,
          ])
        ).rows[0].n,
      );
    for (const u of users) await expect.poll(() => consumeLogs(u), { timeout: 10_000 }).toBe(6);

    // slow streams on both nodes; once every one of them has begun, the victim dies
    upstream.set({ chunkDelayMs: 400 });
    let begun = 0;
    const onVictim: Promise<Outcome>[] = [];
    const onSurvivor: Promise<Outcome>[] = [];
    for (let n = 0; n < 3; n++) {
      for (let i = 0; i < users.length; i++) {
        onVictim.push(run(client(PORT_A, i), true, () => begun++));
        onSurvivor.push(run(client(PORT_B, i), true, () => begun++));
      }
    }
    await expect.poll(() => begun, { timeout: 20_000 }).toBe(onVictim.length + onSurvivor.length);
    victim.proc.kill("SIGKILL");
    await victim.exited;
    const survived = await Promise.all(onSurvivor);
    expect(survived.every((o) => o.ok)).toBe(true);
    expect((await Promise.all(onVictim)).some((o) => o.ok)).toBe(false);
    upstream.set({ chunkDelayMs: 0 });

    // the survivor settles its own and sweeps the victim's holds
    await expect
      .poll(
        async () =>
          (await seed.pool.query("SELECT 1 FROM reservations WHERE user_id = ANY($1) AND status = 1", [users]))
            .rowCount,
        { timeout: 30_000, intervals: [500] },
      )
      .toBe(0);
    const { rows: perUser } = await seed.pool.query<{ user_id: number; n: string }>(
      "SELECT user_id, count(*)::text AS n FROM logs WHERE user_id = ANY($1) AND type = 2 GROUP BY user_id",
      [users],
    );
    // each user: 6 plain requests and the survivor's 3 streams; the victim's streams died unbilled
    // (their holds, where there were holds, came back)
    for (const u of users) expect(Number(perUser.find((r) => r.user_id === u)?.n ?? 0), `user ${u}`).toBe(9);
    const { rows: twice } = await seed.pool.query(
      "SELECT request_id FROM logs WHERE user_id = ANY($1) AND type = 2 GROUP BY request_id HAVING count(*) > 1",
      [users],
    );
    expect(twice).toEqual([]);
    // the rich user's requests reserved nothing before the upstream; the modest user's held
    const { rows: kinds } = await seed.pool.query<{ user_id: number; trusted: boolean; held: string }>(
      "SELECT user_id, bool_and(trusted) AS trusted, max(held_quota)::text AS held FROM reservations WHERE user_id = ANY($1) GROUP BY user_id",
      [users],
    );
    expect(kinds.find((k) => k.user_id === rich)).toMatchObject({ trusted: true, held: "0" });
    expect(kinds.find((k) => k.user_id === modest)).toMatchObject({ trusted: false });
    for (let i = 0; i < users.length; i++) {
      const { rows } = await seed.pool.query<{ spent: string }>(
        "SELECT COALESCE(sum(quota), 0)::text AS spent FROM logs WHERE user_id = $1 AND type = 2",
        [users[i]],
      );
      const now = await seed.balances(users[i], keys[i].id);
      expect(now.quota).toBe(start[i].quota - BigInt(rows[0].spent));
      expect(await seed.audit(users[i])).toEqual([]);
    }
    const audit = spawnSync(
      process.execPath,
      ["--import", "tsx", "--conditions=react-server", "scripts/cli.ts", "ledger:audit"],
      {
        env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL },
        encoding: "utf8",
      },
    );
    expect(audit.status, audit.stdout + audit.stderr).toBe(0);
  } finally {
    upstream.set({ chunkDelayMs: 0 });
    await seed.setOption("ReservationTtlSeconds", 120);
    await seed.setOption("ReservationSweepSeconds", 30);
    for (const n of [victim, survivor]) killNode(n);
  }
});
