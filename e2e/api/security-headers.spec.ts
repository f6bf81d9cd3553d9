import { expect, test, type APIResponse } from "@playwright/test";
import { Seed } from "../support/seed";

// Every page and API response carries the security headers; HSTS only behind an https proxy.

const seed = Seed.forSpec();
let key: string;

test.beforeAll(async () => {
  key = (await seed.createKey((await seed.createUser()).id)).key;
});

test.afterAll(async () => {
  await seed.close();
});

function expectSecurityHeaders(res: APIResponse, what: string) {
  const h = res.headers();
  expect(h["content-security-policy"], what).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"], what).toContain("object-src 'none'");
  expect(h["content-security-policy"], what).toContain("base-uri 'self'");
  expect(h["x-content-type-options"], what).toBe("nosniff");
  expect(h["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(h["x-frame-options"], what).toBe("DENY");
}

test("pages, /api and /v1 responses carry the security headers, errors and redirects included", async ({ request }) => {
  const bearer = { authorization: `Bearer ${key}` };
  const cases: [string, () => Promise<APIResponse>, number][] = [
    ["page /login", () => request.get("/login"), 200],
    ["page /register", () => request.get("/register"), 200],
    ["redirect /dashboard", () => request.get("/dashboard", { maxRedirects: 0 }), 307],
    ["page 404", () => request.get("/no-such-page"), 404],
    ["api /api/health", () => request.get("/api/health"), 200],
    ["api /api/settlement/openapi.json", () => request.get("/api/settlement/openapi.json"), 200],
    [
      "api /api/settlement/reserve without credential",
      () => request.post("/api/settlement/reserve", { data: {} }),
      401,
    ],
    ["api /api/auth/csrf", () => request.get("/api/auth/csrf"), 200],
    ["relay /v1/models", () => request.get("/v1/models", { headers: bearer }), 200],
    ["relay /v1/models without key", () => request.get("/v1/models"), 401],
    [
      "relay /v1/chat/completions without key",
      () => request.post("/v1/chat/completions", { data: { model: "x", messages: [] } }),
      401,
    ],
    [
      "relay /v1/dashboard/billing/subscription",
      () => request.get("/v1/dashboard/billing/subscription", { headers: bearer }),
      200,
    ],
  ];
  for (const [what, send, status] of cases) {
    const res = await send();
    expect(res.status(), what).toBe(status);
    expectSecurityHeaders(res, what);
    expect(res.headers()["strict-transport-security"], what).toBeUndefined();
  }
});

test("HSTS is sent when the request came through an https proxy", async ({ request }) => {
  for (const path of ["/login", "/api/health", "/v1/models"]) {
    const res = await request.get(path, { headers: { "x-forwarded-proto": "https" } });
    expect(res.headers()["strict-transport-security"], path).toBe("max-age=31536000");
    expectSecurityHeaders(res, path);
  }
  const chained = await request.get("/api/health", { headers: { "x-forwarded-proto": "https, http" } });
  expect(chained.headers()["strict-transport-security"]).toBe("max-age=31536000");
  const plain = await request.get("/api/health", { headers: { "x-forwarded-proto": "http" } });
  expect(plain.headers()["strict-transport-security"]).toBeUndefined();
});
