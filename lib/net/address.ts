import ipaddr from "ipaddr.js";

// Where a server-side request may go. Channels are admin-set upstream URLs; the relay connects to
// them from inside the deployment, so an address that reaches the machine itself or its cloud
// provider's metadata service (credentials!) must never be one. Loopback and private networks
// are legitimate (local model servers) unless the operator forbids them.
// Pure: the DNS side is lib/net/resolve.ts.

export type AddressKind = "metadata" | "link-local" | "non-unicast" | "loopback" | "private" | "public";

/** cloud metadata and platform endpoints: AWS/GCP/Azure/OCI/DO, ECS tasks, Alibaba, Azure wireserver */
const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16"]);
/** AWS's IPv6 service prefix: IMDS at fd00:ec2::254, DNS, NTP */
const METADATA_V6 = ipaddr.IPv6.parseCIDR("fd00:ec2::/32");
const IPV4_FUTURE = ipaddr.IPv4.parseCIDR("240.0.0.0/4");
const IPV4_IETF = ipaddr.IPv4.parseCIDR("192.0.0.0/24");
const NAT64_LOCAL = ipaddr.IPv6.parseCIDR("64:ff9b:1::/48");

/**
 * An IP literal as written in a URL host or returned by a resolver, or null for a name. Accepts
 * what a URL parser would turn into an address: "[fe80::1]", a zone ("fe80::1%eth0"), and IPv4 in
 * decimal (2852039166), hex (0xa9fea9fe, 0xa9.0xfe.0xa9.0xfe), octal (0251.0376.0251.0376) or
 * short forms (169.254.43518), with or without a trailing dot.
 */
export function parseIpLiteral(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let h = host.trim();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.includes(":")) {
    const zone = h.indexOf("%");
    if (zone > 0) h = h.slice(0, zone);
    return ipaddr.IPv6.isValid(h) ? ipaddr.IPv6.parse(h) : null;
  }
  // the WHATWG URL parser is the one that reads odd IPv4 spellings, in browsers and in Node's fetch/http
  let canonical: string;
  try {
    canonical = new URL(`http://${h}/`).hostname;
  } catch {
    return null;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(canonical) ? ipaddr.IPv4.parse(canonical) : null;
}

/** the IPv4 address an IPv6 address carries and leads to (mapped, translated, compatible, NAT64, 6to4) */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = v6.parts;
  const last32 = () => new ipaddr.IPv4([p[6] >> 8, p[6] & 0xff, p[7] >> 8, p[7] & 0xff]);
  const range = v6.range();
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") return last32();
  // ::a.b.c.d (deprecated "IPv4-compatible"), but not :: and ::1
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1)) return last32();
  if (range === "6to4") return new ipaddr.IPv4([p[1] >> 8, p[1] & 0xff, p[2] >> 8, p[2] & 0xff]);
  return null;
}

export function classifyAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): AddressKind {
  if (addr.kind() === "ipv6") {
    const v6 = addr as ipaddr.IPv6;
    if (v6.match(METADATA_V6)) return "metadata";
    if (v6.match(NAT64_LOCAL)) return "private";
    const v4 = embeddedIPv4(v6);
    if (v4) return classifyAddress(v4);
    // typed narrower than the ranges ipaddr.js returns (deprecatedSiteLocal is missing)
    switch (v6.range() as string) {
      case "linkLocal":
        return "link-local";
      case "unspecified":
      case "multicast":
        return "non-unicast";
      case "loopback":
        return "loopback";
      case "uniqueLocal":
      case "deprecatedSiteLocal":
        return "private";
      default:
        return "public";
    }
  }
  const v4 = addr as ipaddr.IPv4;
  if (METADATA_V4.has(v4.toString())) return "metadata";
  if (v4.match(IPV4_FUTURE)) return "non-unicast";
  if (v4.match(IPV4_IETF)) return "private";
  switch (v4.range()) {
    case "linkLocal":
      return "link-local";
    case "unspecified": // 0.0.0.0 reaches this machine on Linux
    case "broadcast":
    case "multicast":
      return "non-unicast";
    case "loopback":
      return "loopback";
    case "private":
    case "carrierGradeNat":
      return "private";
    default:
      return "public";
  }
}

export type AddressPolicy = {
  /** loopback and private networks (ChannelPrivateAddressesAllowed); link-local and metadata never */
  allowPrivate: boolean;
  /** what turns private targets on, named in the refusal (default ChannelPrivateAddressesAllowed) */
  privateSwitch?: string;
};

/** Why a connection to this address is refused, or null when it is allowed. */
export function addressRefusal(kind: AddressKind, policy: AddressPolicy): string | null {
  switch (kind) {
    case "metadata":
      return "a cloud metadata address";
    case "link-local":
      return "a link-local address";
    case "non-unicast":
      return "not a unicast address";
    case "loopback":
    case "private":
      return policy.allowPrivate
        ? null
        : `a loopback or private address (${policy.privateSwitch ?? "ChannelPrivateAddressesAllowed"} is off)`;
    default:
      return null;
  }
}

/** For an IP-literal host: why it is refused, or null (allowed, or a name that must be resolved first). */
export function literalRefusal(host: string, policy: AddressPolicy): string | null {
  const ip = parseIpLiteral(host);
  return ip ? addressRefusal(classifyAddress(ip), policy) : null;
}
