import { describe, expect, it } from "vitest";
import { addressRefusal, classifyAddress, literalRefusal, parseIpLiteral, type AddressKind } from "./address";

const kindOf = (host: string): AddressKind | "name" => {
  const ip = parseIpLiteral(host);
  return ip ? classifyAddress(ip) : "name";
};

describe("classifyAddress (hosts as written in a URL or returned by DNS)", () => {
  it.each<[string, AddressKind | "name"]>([
    // the metadata service, spelled every way a URL parser accepts
    ["169.254.169.254", "metadata"],
    ["169.254.169.254.", "metadata"],
    ["2852039166", "metadata"],
    ["0xa9fea9fe", "metadata"],
    ["0xA9FEA9FE", "metadata"],
    ["0xa9.0xfe.0xa9.0xfe", "metadata"],
    ["0251.0376.0251.0376", "metadata"],
    ["0251.254.169.254", "metadata"],
    ["169.254.43518", "metadata"],
    ["169.16689662", "metadata"],
    ["::ffff:169.254.169.254", "metadata"],
    ["[::ffff:169.254.169.254]", "metadata"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["[::ffff:a9fe:a9fe]", "metadata"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "metadata"],
    ["::ffff:0:a9fe:a9fe", "metadata"], // RFC 6145 translated
    ["::a9fe:a9fe", "metadata"], // IPv4-compatible
    ["64:ff9b::a9fe:a9fe", "metadata"], // NAT64
    ["2002:a9fe:a9fe::1", "metadata"], // 6to4
    ["fd00:ec2::254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["fd00:ec2:0:0:0:0:0:254", "metadata"],
    ["fd00:0ec2::0254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["100.100.100.200", "metadata"],
    // link-local, v4 and v6, with zones and brackets
    ["169.254.0.1", "link-local"],
    ["169.254.255.255", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["[fe80::1%eth0]", "link-local"],
    ["FE80::abcd", "link-local"],
    ["febf::1", "link-local"],
    ["::ffff:169.254.1.1", "link-local"],
    // never a server
    ["0.0.0.0", "non-unicast"],
    ["0", "non-unicast"],
    ["::", "non-unicast"],
    ["255.255.255.255", "non-unicast"],
    ["224.0.0.1", "non-unicast"],
    ["ff02::1", "non-unicast"],
    ["240.0.0.1", "non-unicast"],
    // loopback and private: allowed by default
    ["127.0.0.1", "loopback"],
    ["127.1", "loopback"],
    ["2130706433", "loopback"],
    ["0x7f000001", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["10.0.0.5", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["fd12:3456::1", "private"],
    ["fc00::1", "private"],
    ["::ffff:10.1.2.3", "private"],
    // public
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["169.253.255.255", "public"],
    ["169.255.0.1", "public"],
    ["2606:4700::1111", "public"],
    ["fec0::1", "private"],
    // names are resolved, not classified
    ["api.openai.com", "name"],
    ["localhost", "name"],
    ["169.254.169.254.nip.io", "name"],
    ["0xa9fe a9fe", "name"],
  ])("%s -> %s", (host, kind) => {
    expect(kindOf(host)).toBe(kind);
  });
});

describe("addressRefusal", () => {
  it.each<[AddressKind, boolean, boolean]>([
    ["metadata", true, true],
    ["metadata", false, true],
    ["link-local", true, true],
    ["link-local", false, true],
    ["non-unicast", true, true],
    ["loopback", true, false],
    ["loopback", false, true],
    ["private", true, false],
    ["private", false, true],
    ["public", true, false],
    ["public", false, false],
  ])("%s with private addresses allowed=%s: refused=%s", (kind, allowPrivate, refused) => {
    expect(addressRefusal(kind, { allowPrivate }) !== null).toBe(refused);
  });

  it("literalRefusal names the reason, and leaves names to the resolver", () => {
    expect(literalRefusal("2852039166", { allowPrivate: true })).toMatch(/metadata/);
    expect(literalRefusal("[fe80::1]", { allowPrivate: true })).toMatch(/link-local/);
    expect(literalRefusal("127.0.0.1", { allowPrivate: false })).toMatch(/ChannelPrivateAddressesAllowed/);
    expect(literalRefusal("127.0.0.1", { allowPrivate: true })).toBeNull();
    expect(literalRefusal("metadata.google.internal", { allowPrivate: false })).toBeNull();
  });
});
