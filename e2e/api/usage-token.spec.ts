import { expect, test } from "@playwright/test";
import { rawCall } from "../support/relay-client";
import { QUOTA_PER_USD, Seed } from "../support/seed";

// GET /api/usage/token applies the key's IP allow-list like every other route that takes an sk- key.

const seed = Seed.forSpec();

test.afterAll(async () => {
  await seed.close();
});

test("a key whose allow-list does not include the caller gets 403; one that does reads its usage", async () => {
  const userId = (await seed.createUser({ quota: 5n * QUOTA_PER_USD })).id;
  const elsewhere = await seed.createKey(userId, { allowIps: "203.0.113.0/24", unlimited: false, remain: 1_000n });
  const refused = await rawCall("/api/usage/token", { method: "GET", key: elsewhere.key });
  expect(refused.status).toBe(403);
  expect(refused.json).toMatchObject({ success: false, code: "ip_not_allowed" });
  // a forged X-Forwarded-For does not help (no proxy is trusted by default)
  const forged = await rawCall("/api/usage/token", {
    method: "GET",
    key: elsewhere.key,
    headers: { "x-forwarded-for": "203.0.113.9" },
  });
  expect(forged.status).toBe(403);

  const here = await seed.createKey(userId, { allowIps: "127.0.0.1,::1", unlimited: false, remain: 1_000n });
  const ok = await rawCall("/api/usage/token", { method: "GET", key: here.key });
  expect(ok.status).toBe(200);
  expect(ok.json).toMatchObject({ code: true, data: { object: "token_usage", total_available: 1_000 } });
});
