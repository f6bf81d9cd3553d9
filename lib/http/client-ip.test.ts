import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

// The rule itself is tested with lib/relay/client-ip.ts; this checks the adapter for next-auth's
// plain-object headers. TRUSTED_PROXIES defaults to loopback; lib/env wants a DATABASE_URL to parse.
process.env.DATABASE_URL ??= "postgresql://unused/unused";

describe("clientIp", () => {
  it.each([
    [{ "x-forwarded-for": "203.0.113.7, 127.0.0.1" }, "203.0.113.7"],
    [{ "x-forwarded-for": ["198.51.100.1", "::ffff:127.0.0.1"] }, "198.51.100.1"],
    [{ "x-forwarded-for": "127.0.0.1" }, "127.0.0.1"],
    [new Headers({ "x-forwarded-for": "203.0.113.9" }), "203.0.113.9"],
  ])("%j -> %s", (headers, expected) => {
    expect(clientIp(headers)).toBe(expected);
  });
});
