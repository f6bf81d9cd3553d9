import { readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { MountedHandler } from "@/lib/http/mount";
import { SETTLEMENT_ROUTES } from "@/lib/settlement/routes";
import { fastHandlerFor, serveMounted } from "./fast-path";

// The Node ↔ Web adapter of the fast path, on a real node:http server on 127.0.0.1.

// the client's address reads TRUSTED_PROXIES from the environment, which needs a database URL; none is used
process.env.DATABASE_URL ??= "postgresql://unused@127.0.0.1:1/unused";

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(null));
  server = null;
});

async function serve(handler: MountedHandler): Promise<string> {
  server = http.createServer((req, res) => void serveMounted(handler, req, res));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("routing", () => {
  it("takes /v1 and /api/settlement, leaves the rest to Next", () => {
    expect(fastHandlerFor("/v1")).not.toBeNull();
    expect(fastHandlerFor("/v1/chat/completions")).not.toBeNull();
    expect(fastHandlerFor("/v1/models/openai/gpt-4o")).not.toBeNull();
    expect(fastHandlerFor("/api/settlement/reserve")).not.toBeNull();
    expect(fastHandlerFor("/v1x")).toBeNull();
    expect(fastHandlerFor("/api/usage/token")).toBeNull();
    expect(fastHandlerFor("/login")).toBeNull();
  });

  it("serves every settlement route that Next's route files serve, and no other", () => {
    const dir = path.resolve(import.meta.dirname, "../../app/api/settlement");
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith("route.ts"))
      .map((f) => `/api/settlement/${path.dirname(f)}`);
    expect([...SETTLEMENT_ROUTES.keys()].sort()).toEqual(files.sort());
  });

  it("answers unknown settlement paths and wrong methods in the /api shape", async () => {
    const notFound = await fastHandlerFor("/api/settlement/nope")!(new Request("http://x/api/settlement/nope"), {
      clientIp: "127.0.0.1",
    });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ success: false, code: "not_found" });
    const wrong = await fastHandlerFor("/api/settlement/settle")!(new Request("http://x/api/settlement/settle"), {
      clientIp: "127.0.0.1",
    });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});

describe("the adapter", () => {
  it("passes method, URL, headers, body and the socket's address; writes status, headers and cookies back", async () => {
    let seen: { method: string; url: string; header: string | null; body: string; ip: string } | null = null;
    const url = await serve(async (req, mount) => {
      seen = {
        method: req.method,
        url: new URL(req.url).pathname + new URL(req.url).search,
        header: req.headers.get("x-test"),
        body: await req.text(),
        ip: mount.clientIp,
      };
      const headers = new Headers({ "content-type": "application/json", "x-request-id": "r1" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response('{"ok":true}', { status: 201, headers });
    });
    const res = await fetch(`${url}/v1/x?y=1`, {
      method: "POST",
      headers: { "x-test": "yes", "x-forwarded-proto": "https" },
      body: "hello",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toBe("r1");
    // a whole answer goes out with its length, in one write, not chunked
    expect(res.headers.get("content-length")).toBe("11");
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    // the security headers Next's router adds to what it serves, HSTS behind an https proxy
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect(seen).toEqual({ method: "POST", url: "/v1/x?y=1", header: "yes", body: "hello", ip: "127.0.0.1" });
  });

  it("a Host header the URL parser refuses still reaches the handler", async () => {
    const url = await serve(async (req) => new Response(new URL(req.url).pathname));
    const { port } = new URL(url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/v1/models", headers: { host: "a b:c" } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, body: "/v1/models" });
  });

  it("no HSTS over plain http", async () => {
    const url = await serve(async () => new Response("x"));
    expect((await fetch(url)).headers.get("strict-transport-security")).toBeNull();
  });

  it("a client that reads slowly holds the body back (backpressure); one that leaves aborts and cancels", async () => {
    let produced = 0;
    let cancelled = false;
    let aborted = false;
    const chunk = new Uint8Array(64 * 1024);
    const url = await serve(async (req) => {
      req.signal.addEventListener("abort", () => (aborted = true));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          produced += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const client = http.get(url);
    const res = await new Promise<http.IncomingMessage>((r) => client.once("response", r));
    res.pause(); // reads nothing more
    await new Promise((r) => setTimeout(r, 500));
    // an endless body: without backpressure the server would have produced hundreds of MB by now
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(16 * 1024 * 1024);
    client.destroy();
    for (let i = 0; i < 50 && !(aborted && cancelled); i++) await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(true);
    expect(cancelled).toBe(true);
  });

  it("an unexpected error in a handler is a 500 that reveals nothing", async () => {
    const url = await serve(async () => {
      throw new Error("secret detail");
    });
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret");
  });
});
