import { expect, test } from "@playwright/test";
import { E2E_PORT } from "../global-setup";
import { nodeReady, startNode, type AppNode } from "../support/node-process";
import { Seed, uniqueName } from "../support/seed";

// Two app nodes behind one Redis (scaling out: every node shares PostgreSQL and Redis), started
// here from scripts/serve.mjs: an admin disables a user on node A, and the user's key, which node B
// has just authorised (and so holds in its in-process key cache), is refused by node B on the very
// next request. Enabling the user again works the same way.

const PORT_A = E2E_PORT + 11;
const PORT_B = E2E_PORT + 12;
const REDIS_URL = process.env.E2E_REDIS_URL || "redis://127.0.0.1:6379";
const seed = Seed.forSpec();

test.describe.configure({ mode: "serial" });

const nodes: AppNode[] = [];

function start(port: number): AppNode {
  const node = startNode(port, { REDIS_URL, TOLLGATE_WORKERS: "off" });
  nodes.push(node);
  return node;
}

/** the status and error code of GET /v1/models on a node, with the key */
async function models(port: number, key: string) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null };
}

test.afterAll(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) n.proc.kill("SIGTERM");
  await seed.close();
});

test("disabling a user on node A refuses their key on node B at the next request, and enabling lets it in again", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const admin = await seed.createUser({ username: uniqueName("nodeadm"), role: 10 });
  const user = await seed.createUser({ username: uniqueName("nodeusr"), quota: 5_000_000n });
  const key = await seed.createKey(user.id);
  start(PORT_A);
  start(PORT_B);
  await Promise.all([nodeReady(PORT_A), nodeReady(PORT_B)]);

  // node B authorises the key: from now on it answers from its cache
  expect(await models(PORT_B, key.key)).toEqual({ status: 200, code: null });
  // the control: a status written behind the nodes' backs (no invalidation) is not seen by node B,
  // so the refusal below is the invalidation's doing, not a cache miss
  await seed.setStatus(user.id, 2);
  expect(await models(PORT_B, key.key)).toEqual({ status: 200, code: null });
  await seed.setStatus(user.id, 1);

  // the admin, on node A
  const a = `http://127.0.0.1:${PORT_A}`;
  await page.goto(`${a}/login`);
  await page.getByLabel("Username", { exact: true }).fill(admin.username);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto(`${a}/admin/users?q=${user.username}`);
  const row = page.getByTestId("users-table").getByTestId("user-row").filter({ hasText: user.username });
  await row.getByTestId("user-actions").click();
  await page.getByRole("menuitem", { name: "Disable" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText(`${user.username} is disabled.`)).toBeVisible();

  // the very next request on node B (and on A) is refused
  expect(await models(PORT_B, key.key)).toEqual({ status: 403, code: "user_banned" });
  expect(await models(PORT_A, key.key)).toEqual({ status: 403, code: "user_banned" });

  await row.getByTestId("user-actions").click();
  await page.getByRole("menuitem", { name: "Enable" }).click();
  await expect(page.getByText(`${user.username} is enabled again.`)).toBeVisible();
  expect(await models(PORT_B, key.key)).toEqual({ status: 200, code: null });
});
