import { describe, expect, it } from "vitest";
import { compileIpRules } from "@/lib/keys/ip";
import { clientIpFrom } from "./client-ip";

const rules = compileIpRules("127.0.0.1/8,::1/128,10.0.0.0/8");

describe("clientIpFrom", () => {
  it.each([
    [undefined, "unknown"],
    ["", "unknown"],
    ["203.0.113.7", "203.0.113.7"],
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    // the client, then our proxies: the rightmost untrusted hop
    ["203.0.113.7, 10.1.2.3", "203.0.113.7"],
    ["198.51.100.1, 203.0.113.7, 10.1.2.3, 127.0.0.1", "203.0.113.7"],
    // a forged first entry does not win over the address our proxy saw
    ["1.1.1.1, 203.0.113.7", "203.0.113.7"],
    ["garbage, 203.0.113.7", "203.0.113.7"],
    ["[2001:db8::1]", "2001:db8::1"],
  ])("%s -> %s", (xff, expected) => {
    expect(clientIpFrom(xff, rules)).toBe(expected);
  });
});
