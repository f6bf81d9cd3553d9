import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { request as playwrightRequest } from "@playwright/test";
import { E2E_BASE_URL } from "../global-setup";
import { expect, signIn, test, uniqueName } from "./support";

// The authorization matrix of the pages and route handlers, generated from the tree: every page
// under app/(admin) and every route handler under app/api is found on disk and requested
// anonymously and as a normal user. Admin pages: a redirect to /login, then a 404. Routes that
// take a session: 401, then 403 where they need an admin. Routes that take a key or a service
// credential refuse a browser session too. A route nobody classified fails the test, so a new
// one has to be placed in this matrix by whoever adds it.

const ROOT = path.resolve(import.meta.dirname, "../..");

function files(dir: string, name: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel, name));
    else if (name.test(entry.name)) out.push(rel);
  }
  return out.sort();
}

/** app/(admin)/admin/users/page.tsx -> /admin/users; a dynamic segment gets a plausible value */
function urlOf(file: string): string {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => (/^\[.*\]$/.test(s) ? "1" : s));
  return `/${segments.join("/")}`;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const methodsOf = (source: string) =>
  METHODS.filter((m) => new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b`).test(source));

/** routes anyone may call */
const PUBLIC_ROUTES = ["/api/health", "/api/auth/1", "/api/settlement/openapi.json"];
/** session routes a normal user may call, with the query that asks for the admin's view */
const USER_SESSION_ROUTES: Record<string, string> = { "/api/logs/export": "scope=admin" };

type Route = { url: string; methods: string[]; kind: "public" | "session" | "admin-session" | "credential" };

function classify(file: string): Route {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const url = urlOf(file);
  const methods = methodsOf(source);
  if (PUBLIC_ROUTES.includes(url)) return { url, methods, kind: "public" };
  if (source.includes("withSession(")) {
    return { url, methods, kind: /ROLE\.(admin|root)/.test(source) ? "admin-session" : "session" };
  }
  // the relay's key routes and the settlement API's credential routes
  if (/@\/lib\/(settlement|relay)\//.test(source) || source.includes("fromHeaders(")) {
    return { url, methods, kind: "credential" };
  }
  throw new Error(`${file}: unclassified route handler; add it to the authorization matrix`);
}

const adminPages = files("app/(admin)", /^page\.tsx$/).map(urlOf);
const routes = files("app/api", /^route\.ts$/).map(classify);

test("the matrix is generated from the tree and covers the admin console", () => {
  expect(adminPages).toEqual(expect.arrayContaining(["/admin", "/admin/users", "/admin/audit", "/admin/logs"]));
  expect(routes.find((r) => r.url === "/api/logs/export")).toMatchObject({ kind: "session", methods: ["GET"] });
  expect(routes.filter((r) => r.kind === "credential").length).toBeGreaterThanOrEqual(4);
  for (const r of routes.filter((r) => r.kind === "session")) expect(USER_SESSION_ROUTES, r.url).toHaveProperty(r.url);
});

test("anonymous: admin pages send to /login, session routes answer 401, credential routes 401", async () => {
  const anon = await playwrightRequest.newContext({ baseURL: E2E_BASE_URL });
  try {
    for (const url of adminPages) {
      const res = await anon.get(url, { maxRedirects: 0 });
      expect([302, 303, 307, 308], url).toContain(res.status());
      expect(new URL(res.headers().location, E2E_BASE_URL).pathname, url).toBe("/login");
    }
    for (const r of routes.filter((r) => r.kind !== "public")) {
      for (const method of r.methods) {
        const res = await anon.fetch(r.url, { method, data: method === "GET" ? undefined : {} });
        // 405: a key route mounted for a method its wrapper refuses (POST /api/usage/token)
        expect(r.kind === "credential" ? [401, 405] : [401], `${method} ${r.url}`).toContain(res.status());
      }
    }
  } finally {
    await anon.dispose();
  }
});

test("a normal user: admin pages are 404, admin routes 403, credential routes ignore the session", async ({
  page,
  seed,
}) => {
  const user = await seed.createUser({ username: uniqueName("plain") });
  await signIn(page, user);
  for (const url of adminPages) {
    const res = await page.request.get(url, { maxRedirects: 0 });
    expect(res.status(), url).toBe(404);
  }
  for (const r of routes) {
    for (const method of r.methods) {
      const init = { method, data: method === "GET" ? undefined : {}, maxRedirects: 0 };
      if (r.kind === "admin-session") expect((await page.request.fetch(r.url, init)).status(), r.url).toBe(403);
      if (r.kind === "session") {
        const res = await page.request.fetch(`${r.url}?${USER_SESSION_ROUTES[r.url]}`, init);
        expect(res.status(), `${method} ${r.url} as a user asking for the admin's view`).toBe(403);
      }
      if (r.kind === "credential")
        expect([401, 405], `${method} ${r.url}`).toContain((await page.request.fetch(r.url, init)).status());
    }
  }
  // and the pages the admin reaches (the discovery found real pages)
  const admin = await seed.createUser({ username: uniqueName("boss"), role: 10 });
  await page.context().clearCookies();
  await signIn(page, admin);
  for (const url of adminPages) expect((await page.request.get(url)).status(), url).toBe(200);
});
