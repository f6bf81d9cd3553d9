import ipaddr from "ipaddr.js";

// IP allow-lists of API keys: entries separated by newlines and/or commas (new-api deleted the
// commas inside a line instead of splitting there), each an IP or a CIDR, IPv4 or IPv6.

export type IpRule =
  { kind: "ip"; addr: ipaddr.IPv4 | ipaddr.IPv6 } | { kind: "cidr"; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

export function splitIpList(text: string): string[] {
  return text
    .split(/[\n,\r]+/)
    .map((s) => s.replace(/\s+/g, ""))
    .filter(Boolean);
}

/** normalises IPv4-mapped IPv6 (::ffff:1.2.3.4) to IPv4 so both spellings match */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  const addr = ipaddr.parse(text);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    return (addr as ipaddr.IPv6).toIPv4Address();
  return addr;
}

function parseIpRule(entry: string): IpRule | null {
  if (entry.includes("/")) {
    try {
      const range = ipaddr.parseCIDR(entry);
      return { kind: "cidr", range };
    } catch {
      return null;
    }
  }
  const addr = parseIp(entry);
  return addr ? { kind: "ip", addr } : null;
}

/** entries that are neither an IP nor a CIDR (for validation messages) */
export function invalidIpEntries(text: string): string[] {
  return splitIpList(text).filter((e) => parseIpRule(e) === null);
}

export function compileIpRules(text: string): IpRule[] {
  return splitIpList(text)
    .map(parseIpRule)
    .filter((r): r is IpRule => r !== null);
}

export function ipAllowed(rules: IpRule[], clientIp: string): boolean {
  const addr = parseIp(clientIp);
  if (!addr) return false;
  return rules.some((rule) => {
    if (rule.kind === "ip")
      return rule.addr.kind() === addr.kind() && rule.addr.toNormalizedString() === addr.toNormalizedString();
    const [net, bits] = rule.range;
    return net.kind() === addr.kind() && addr.match(net, bits);
  });
}
