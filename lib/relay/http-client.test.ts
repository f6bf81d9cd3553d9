import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post } from "./http-client";

// The relay checks where a channel leads again at connection time: DNS can change after the
// channel was saved, and ChannelPrivateAddressesAllowed can be turned off later.

let server: http.Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on("end", () => res.end('{"ok":true}'));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const call = (url: string, allowPrivate: boolean) =>
  post(url, { "content-type": "application/json" }, "{}", new AbortController().signal, { allowPrivate });

describe("post: where an upstream call may connect", () => {
  it("reaches a loopback upstream while private addresses are allowed, by address and by name", async () => {
    expect((await call(`http://127.0.0.1:${port}/v1/x`, true)).status).toBe(200);
    const byName = await call(`http://localhost:${port}/v1/x`, true).catch((e: { code?: string }) => e);
    // localhost may resolve to ::1 first, where nothing listens: refused by the OS, not by the policy
    expect("status" in byName ? byName.status : byName.code).not.toBe("EADDRNOTALLOWED");
  });

  it("refuses loopback by address and by name once private addresses are forbidden, before connecting", async () => {
    const before = hits;
    await expect(call(`http://127.0.0.1:${port}/v1/x`, false)).rejects.toMatchObject({ code: "EADDRNOTALLOWED" });
    await expect(call(`http://2130706433:${port}/v1/x`, false)).rejects.toMatchObject({ code: "EADDRNOTALLOWED" });
    await expect(call(`http://localhost:${port}/v1/x`, false)).rejects.toMatchObject({ code: "EADDRNOTALLOWED" });
    expect(hits).toBe(before);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    "https://169.254.169.254/",
  ])("never connects to link-local or metadata: %s", async (url) => {
    await expect(call(url, true)).rejects.toMatchObject({
      code: "EADDRNOTALLOWED",
      message: expect.stringMatching(/link-local|metadata/),
    });
  });
});
