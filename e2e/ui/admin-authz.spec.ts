import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { request as playwrightRequest } from "@playwright/test";
import type pg from "pg";
import { E2E_BASE_URL } from "../global-setup";
import { databaseChecksum } from "../support/db-checksum";
import { expect, signIn, test, uniqueName } from "./support";

// The authorization matrix of the pages and route handlers, generated from the tree: every page
// under app/(admin) and every route handler under app/ (the /api routes and the relay's /v1
// catch-all, called on each path of the relay's route table) is found on disk and requested
// anonymously and as a normal user. Admin pages: a redirect to /login, then a 404. Routes that
// take a session: 401, then 403 where they need an admin. Routes that take a key or a service
// credential refuse a browser session too. Neither pass changes a row of the database (a checksum
// of every table before and after). A route nobody classified fails the test, so a new one has to
// be placed in this matrix by whoever adds it.

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
    .filter((s) => !/^\(.*\)$/.test(s) && !/^\[\[\.\.\..*\]\]$/.test(s)) // groups; optional catch-alls match bare
    .map((s) => (/^\[.*\]$/.test(s) ? "1" : s));
  return `/${segments.join("/")}`;
}

/**
 * The paths the relay's catch-all serves, read from its route table (lib/relay/routes.ts): the
 * exact ones, and the prefixed ones with a parameter.
 */
function relayPaths(): string[] {
  const source = readFileSync(path.join(ROOT, "lib/relay/routes.ts"), "utf8");
  return [...source.matchAll(/\["(\/v1\/[^"]*)",/g)].map(([, p]) => (p.endsWith("/") ? `${p}gpt-4o` : p));
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const methodsOf = (source: string) =>
  METHODS.filter((m) => new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b`).test(source));

/** routes anyone may call */
const PUBLIC_ROUTES = ["/api/health", "/api/auth/1", "/api/settlement/openapi.json"];
/** session routes a normal user may call, with the query that asks for the admin's view */
const USER_SESSION_ROUTES: Record<string, string> = { "/api/logs/export": "scope=admin" };

type Route = { url: string; methods: string[]; kind: "public" | "session" | "admin-session" | "credential" };

function classify(file: string): Route[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const url = urlOf(file);
  const methods = methodsOf(source);
  if (PUBLIC_ROUTES.includes(url)) return [{ url, methods, kind: "public" }];
  if (source.includes("withSession(")) {
    return [{ url, methods, kind: /ROLE\.(admin|root)/.test(source) ? "admin-session" : "session" }];
  }
  // the relay's catch-all: every path of its route table, each with an API key
  if (url === "/v1") return relayPaths().map((p) => ({ url: p, methods, kind: "credential" }));
  // the settlement API's credential routes and the key routes
  if (/@\/lib\/(settlement|relay)\//.test(source) || source.includes("fromHeaders(")) {
    return [{ url, methods, kind: "credential" }];
  }
  throw new Error(`${file}: unclassified route handler; add it to the authorization matrix`);
}

const adminPages = files("app/(admin)", /^page\.tsx$/).map(urlOf);
const routeFiles = files("app", /^route\.ts$/);
const routes = routeFiles.flatMap(classify);

/** the database's checksum (every row of every table) */
const checksum = (pool: pg.Pool) => databaseChecksum(async (sql) => (await pool.query(sql)).rows);

test("the matrix is generated from the tree and covers the admin console", () => {
  expect(adminPages).toEqual(expect.arrayContaining(["/admin", "/admin/users", "/admin/audit", "/admin/logs"]));
  expect(routes.find((r) => r.url === "/api/logs/export")).toMatchObject({ kind: "session", methods: ["GET"] });
  expect(routes.filter((r) => r.kind === "credential").length).toBeGreaterThanOrEqual(4);
  // every route file under app/, the relay's catch-all among them, on each of its paths
  expect(routeFiles).toContain(path.join("app", "v1", "[[...path]]", "route.ts"));
  expect(routeFiles.filter((f) => !f.startsWith(path.join("app", "api"))).length).toBeGreaterThan(0);
  for (const url of ["/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/v1/models", "/v1/models/gpt-4o"])
    expect(
      routes.find((r) => r.url === url),
      url,
    ).toMatchObject({ kind: "credential", methods: METHODS });
  for (const r of routes.filter((r) => r.kind === "session")) expect(USER_SESSION_ROUTES, r.url).toHaveProperty(r.url);
});

test("anonymous: admin pages send to /login, session routes answer 401, credential routes 401", async ({ pool }) => {
  const anon = await playwrightRequest.newContext({ baseURL: E2E_BASE_URL });
  const before = await checksum(pool);
  try {
    for (const url of adminPages) {
      const res = await anon.get(url, { maxRedirects: 0 });
      expect([302, 303, 307, 308], url).toContain(res.status());
      expect(new URL(res.headers().location, E2E_BASE_URL).pathname, url).toBe("/login");
    }
    for (const r of routes.filter((r) => r.kind !== "public")) {
      const statuses: number[] = [];
      for (const method of r.methods) {
        const res = await anon.fetch(r.url, { method, data: method === "GET" ? undefined : {} });
        statuses.push(res.status());
        // 405: a key route mounted for a method its wrapper refuses (POST /api/usage/token)
        expect(r.kind === "credential" ? [401, 405] : [401], `${method} ${r.url}`).toContain(res.status());
      }
      // every path answers its own method with 401 (the relay's too: no path is open without a key)
      expect(statuses, r.url).toContain(401);
    }
    expect(await checksum(pool), "the anonymous pass changed the database").toBe(before);
  } finally {
    await anon.dispose();
  }
});

test("a normal user: admin pages are 404, admin routes 403, credential routes ignore the session", async ({
  page,
  seed,
  pool,
}) => {
  const user = await seed.createUser({ username: uniqueName("plain") });
  await signIn(page, user);
  // taken once signed in: the sign-in itself writes (the last sign-in time, the login log)
  const before = await checksum(pool);
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
  expect(await checksum(pool), "the normal user's pass changed the database").toBe(before);
  // and the pages the admin reaches (the discovery found real pages)
  const admin = await seed.createUser({ username: uniqueName("boss"), role: 10 });
  await page.context().clearCookies();
  await signIn(page, admin);
  for (const url of adminPages) expect((await page.request.get(url)).status(), url).toBe(200);
});
