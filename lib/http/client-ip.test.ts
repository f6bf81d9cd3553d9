import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { clientIp } from "./client-ip";

// The rule itself is tested with lib/relay/client-ip.ts; this checks the adapter for next-auth's
// plain-object headers and the default of TRUSTED_PROXIES. lib/env wants a DATABASE_URL to parse.
process.env.DATABASE_URL ??= "postgresql://unused/unused";
const saved = process.env.TRUSTED_PROXIES;

afterEach(() => {
  if (saved === undefined) delete process.env.TRUSTED_PROXIES;
  else process.env.TRUSTED_PROXIES = saved;
  resetEnvCache();
});

describe("clientIp", () => {
  it.each([
    [{ "x-forwarded-for": "203.0.113.7, 127.0.0.1" }, "203.0.113.7"],
    [{ "x-forwarded-for": ["198.51.100.1", "::ffff:127.0.0.1"] }, "198.51.100.1"],
    [{ "x-forwarded-for": "127.0.0.1" }, "127.0.0.1"],
    [new Headers({ "x-forwarded-for": "203.0.113.9" }), "203.0.113.9"],
  ])("behind a trusted loopback proxy: %j -> %s", (headers, expected) => {
    process.env.TRUSTED_PROXIES = "127.0.0.1/8,::1/128";
    resetEnvCache();
    expect(clientIp(headers)).toBe(expected);
  });

  it("trusts no proxy by default: a local client cannot name another address", () => {
    delete process.env.TRUSTED_PROXIES;
    resetEnvCache();
    // the last hop is the socket's peer (appended by the peer hook); what the client wrote before it is not believed
    expect(clientIp({ "x-forwarded-for": "203.0.113.7, 127.0.0.1" })).toBe("127.0.0.1");
    expect(clientIp({ "x-forwarded-for": ["198.51.100.1", "::1"] })).toBe("::1");
  });
});
