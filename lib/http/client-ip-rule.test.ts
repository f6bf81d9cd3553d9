import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { compileIpRules } from "@/lib/net/ip";
import { resolveClientIp } from "./client-ip";
import { appendPeer, installForwardedForHook } from "./peer-hook";

const trusted = compileIpRules("127.0.0.1/8,::1/128,10.0.0.0/8");

describe("resolveClientIp", () => {
  it.each([
    // [peer, X-Forwarded-For, client]
    ["203.0.113.7", null, "203.0.113.7"],
    ["::ffff:203.0.113.7", null, "203.0.113.7"],
    // an untrusted peer's header is ignored
    ["203.0.113.7", "1.2.3.4", "203.0.113.7"],
    // a trusted proxy: believe the hop it reports
    ["127.0.0.1", "198.51.100.9", "198.51.100.9"],
    ["10.0.0.5", "198.51.100.9, 10.0.0.4", "198.51.100.9"],
    // a client forging the first entry behind our proxy: the hop our proxy saw wins
    ["127.0.0.1", "1.1.1.1, 198.51.100.9", "198.51.100.9"],
    // only trusted hops (a local request): the leftmost
    ["127.0.0.1", null, "127.0.0.1"],
    ["127.0.0.1", "10.0.0.2", "10.0.0.2"],
    ["::1", "[2001:db8::1]", "2001:db8::1"],
    // a trusted proxy vouching for garbage
    ["127.0.0.1", "not-an-ip", "unknown"],
    ["", null, "unknown"],
  ])("peer %s, XFF %s -> %s", (peer, xff, expected) => {
    expect(resolveClientIp(peer, xff, trusted)).toBe(expected);
  });

  it("with headers only (Next), the last hop is the peer that the hook appended", () => {
    expect(resolveClientIp(undefined, "1.2.3.4, 203.0.113.7", trusted)).toBe("203.0.113.7");
    expect(resolveClientIp(undefined, "1.2.3.4, 127.0.0.1", trusted)).toBe("1.2.3.4");
    expect(resolveClientIp(undefined, null, trusted)).toBe("unknown");
  });
});

describe("peer hook", () => {
  it("appends the socket's address to X-Forwarded-For once, before the handler runs", async () => {
    installForwardedForHook();
    installForwardedForHook();
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers["x-forwarded-for"] as string | undefined);
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-forwarded-for": "6.6.6.6" } });
    } finally {
      server.close();
    }
    expect(seen).toEqual(["127.0.0.1", "6.6.6.6, 127.0.0.1"]);
  });

  it("appendPeer joins a repeated header", () => {
    const req = { socket: { remoteAddress: "10.0.0.1" }, headers: { "x-forwarded-for": ["1.1.1.1", "2.2.2.2"] } };
    appendPeer(req as unknown as http.IncomingMessage);
    expect(req.headers["x-forwarded-for"]).toBe("1.1.1.1, 2.2.2.2, 10.0.0.1");
  });
});
