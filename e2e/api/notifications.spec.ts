import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_RESEND_PORT } from "../global-setup";
import { startReceiver, type Receiver } from "../support/receivers";
import { Seed } from "../support/seed";

// Low-balance alerts end to end: a settle through the settlement API crosses the user's threshold,
// the server's outbox worker delivers to real receivers on 127.0.0.1 (webhook, Bark, Gotify, a fake
// Resend API), and we read what arrived: filled bodies, signatures, one delivery per crossing.

const MODEL = "gpt-4o";
let seed: Seed;
let secret: string;
let resend: Receiver;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  seed = Seed.forSpec();
  secret = await seed.createServiceKey();
  await seed.setOption("NotifyEmailFrom", "alerts@tollgate.test");
  resend = await startReceiver({
    port: E2E_RESEND_PORT,
    respond: () => ({ status: 200, body: JSON.stringify({ id: "email_1" }) }),
  });
  // the server reads options through a cache of at most 10 s: the sender must be seen before a send
  await new Promise((r) => setTimeout(r, 10_500));
});

test.afterAll(async () => {
  await resend?.close();
  await seed?.close();
});

let seq = 0;
async function spend(request: import("@playwright/test").APIRequestContext, key: string, completion: number) {
  const requestId = `e2e-notify-${Date.now()}-${seq++}`;
  const headers = { authorization: `Bearer ${secret}` };
  const r = await request.post("/api/settlement/reserve", {
    headers,
    data: { key, model: MODEL, request_id: requestId, prompt_tokens: 100, max_tokens: 100 },
  });
  expect(r.status(), await r.text()).toBe(200);
  const s = await request.post("/api/settlement/settle", {
    headers,
    data: { request_id: requestId, usage: { prompt_tokens: 100, completion_tokens: completion } },
  });
  expect(s.status(), await s.text()).toBe(200);
}

async function userWith(setting: Record<string, unknown>, quota = 10_000n) {
  const user = await seed.createUser({ quota });
  await seed.pool.query("UPDATE users SET setting = $2::jsonb WHERE id = $1", [user.id, JSON.stringify(setting)]);
  const key = await seed.createKey(user.id, { unlimited: true });
  return { user, key: key.key };
}

async function notifications(userId: number) {
  const { rows } = await seed.pool.query<{ id: string; status: string; attempts: number; last_error: string }>(
    "SELECT id::text, status, attempts, last_error FROM notifications WHERE user_id = $1 ORDER BY id",
    [userId],
  );
  return rows;
}

test("webhook: one signed delivery per crossing, placeholders filled, the id in body and header", async ({
  request,
}) => {
  const hook = await startReceiver();
  try {
    const { user, key } = await userWith({
      notify_type: "webhook",
      webhook_url: `${hook.url}/hooks/tollgate?x=1`,
      webhook_secret: "whsec-e2e",
      quota_warning_threshold: 9_500,
      language: "en",
    });
    await spend(request, key, 100); // 625 charged: 9375 left, below 9500
    await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(1);
    await spend(request, key, 100); // further below: nothing more
    await spend(request, key, 100);
    await new Promise((r) => setTimeout(r, 3_000)); // more than a worker poll
    expect(hook.got).toHaveLength(1);

    const req = hook.got[0];
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hooks/tollgate?x=1");
    expect(req.headers["content-type"]).toBe("application/json");
    const expected = createHmac("sha256", "whsec-e2e").update(req.body).digest("hex");
    expect(req.headers["x-webhook-signature"]).toBe(expected);
    const body = JSON.parse(req.body);
    const [row] = await notifications(user.id);
    expect(body).toEqual({
      id: `ntf_${row.id}`,
      type: "quota_exceed",
      title: "Your balance is running low",
      content: expect.stringContaining("your balance is $0.0188, below your alert threshold of $0.019"),
      values: [
        "Your balance is running low",
        "$0.0188",
        "$0.019",
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/wallet$/),
      ],
      timestamp: expect.any(Number),
    });
    expect(body.content).not.toContain("{{");
    expect(req.headers["x-tollgate-notification-id"]).toBe(body.id);
    expect(req.headers["x-webhook-timestamp"]).toBe(String(body.timestamp));
    expect(Math.abs(body.timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
  } finally {
    await hook.close();
  }
});

test("a receiver that fails twice gets three attempts; the retries carry the same id", async ({ request }) => {
  test.setTimeout(120_000);
  const hook = await startReceiver({ respond: (_r, n) => ({ status: n <= 2 ? 503 : 200 }) });
  try {
    const { user, key } = await userWith({
      notify_type: "webhook",
      webhook_url: hook.url,
      quota_warning_threshold: 9_500,
    });
    await spend(request, key, 100);
    await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(1);
    // the backoff is 15–30 s in production; bring the retries forward instead of waiting
    for (const n of [2, 3]) {
      await expect.poll(async () => (await notifications(user.id))[0].status, { timeout: 15_000 }).toBe("pending");
      await seed.pool.query("UPDATE notifications SET next_attempt_at = now() WHERE user_id = $1", [user.id]);
      await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(n);
    }
    await expect
      .poll(async () => (await notifications(user.id))[0], { timeout: 15_000 })
      .toMatchObject({
        status: "sent",
        attempts: 3,
        last_error: "",
      });
    expect(new Set(hook.got.map((g) => JSON.parse(g.body).id)).size).toBe(1);
    const { rows } = await seed.pool.query<{ attempt: number; status_code: number; ok: boolean }>(
      `SELECT a.attempt, a.status_code, a.ok FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id
       WHERE n.user_id = $1 ORDER BY a.id`,
      [user.id],
    );
    expect(rows).toEqual([
      { attempt: 1, status_code: 503, ok: false },
      { attempt: 2, status_code: 503, ok: false },
      { attempt: 3, status_code: 200, ok: true },
    ]);
  } finally {
    await hook.close();
  }
});

test("Bark: GET of the template with the title and content URL-encoded, in the user's language", async ({
  request,
}) => {
  const bark = await startReceiver();
  try {
    const { key } = await userWith({
      notify_type: "bark",
      bark_url: `${bark.url}/push/KEY/{{title}}/{{content}}?group=tollgate`,
      quota_warning_threshold: 9_500,
      language: "zh",
    });
    await spend(request, key, 100);
    await expect.poll(() => bark.got.length, { timeout: 15_000 }).toBe(1);
    const { method, path } = bark.got[0];
    expect(method).toBe("GET");
    const m = path.match(/^\/push\/KEY\/([^/?]+)\/([^/?]+)\?group=tollgate$/);
    expect(m, path).not.toBeNull();
    expect(decodeURIComponent(m![1])).toBe("您的额度即将用尽");
    expect(decodeURIComponent(m![2])).toContain("当前剩余额度为 $0.0188");
  } finally {
    await bark.close();
  }
});

test("Gotify: POST <url>/message?token=… with title, message and a priority out of range sent as 5", async ({
  request,
}) => {
  const gotify = await startReceiver();
  try {
    const { key } = await userWith({
      notify_type: "gotify",
      gotify_url: `${gotify.url}/gotify`,
      gotify_token: "A token/with?odd&chars",
      gotify_priority: 99,
      quota_warning_threshold: 9_500,
    });
    await spend(request, key, 100);
    await expect.poll(() => gotify.got.length, { timeout: 15_000 }).toBe(1);
    const req = gotify.got[0];
    expect(req.method).toBe("POST");
    expect(req.path).toBe(`/gotify/message?token=${encodeURIComponent("A token/with?odd&chars")}`);
    expect(JSON.parse(req.body)).toMatchObject({
      title: "Your balance is running low",
      message: expect.stringContaining("$0.0188"),
      priority: 5,
    });
  } finally {
    await gotify.close();
  }
});

test("e-mail through the Resend API: HTML and text bodies, the notification id as idempotency key", async ({
  request,
}) => {
  const before = resend.got.length;
  const { user, key } = await userWith({ notification_email: "alice@example.com", quota_warning_threshold: 9_500 });
  await spend(request, key, 100);
  await expect.poll(() => resend.got.length, { timeout: 15_000 }).toBe(before + 1);
  const req = resend.got[before];
  expect(req.method).toBe("POST");
  expect(req.path).toBe("/emails");
  expect(req.headers.authorization).toBe("Bearer re_e2e_not_a_real_key");
  const [row] = await notifications(user.id);
  expect(req.headers["idempotency-key"]).toBe(`tollgate-ntf_${row.id}`);
  const body = JSON.parse(req.body);
  expect(body).toMatchObject({
    from: "Tollgate <alerts@tollgate.test>",
    to: ["alice@example.com"],
    subject: "Your balance is running low",
    text: expect.stringContaining("$0.0188"),
    html: expect.stringMatching(/<a href='http:\/\/127\.0\.0\.1:\d+\/wallet'>/),
  });
  await expect.poll(async () => (await notifications(user.id))[0].status).toBe("sent");
});

test("an SSRF target is refused with a clear message and never retried", async ({ request }) => {
  const { user, key } = await userWith({
    notify_type: "webhook",
    webhook_url: "http://169.254.169.254/latest/meta-data/",
    quota_warning_threshold: 9_500,
  });
  await spend(request, key, 100);
  await expect.poll(async () => (await notifications(user.id))[0]?.status, { timeout: 15_000 }).toBe("failed");
  const [row] = await notifications(user.id);
  expect(row).toMatchObject({
    attempts: 1,
    last_error: "Refused: 169.254.169.254 is a cloud metadata address",
  });
});
