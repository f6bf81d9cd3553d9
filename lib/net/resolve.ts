import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { addressRefusal, classifyAddress, parseIpLiteral, type AddressPolicy } from "./address";

// The DNS side of lib/net/address.ts: a host is allowed only when every address it resolves to
// is. Checked when a channel is saved (a clear error for the admin) and again by the relay's HTTP
// client at every new connection (guardedLookup), because DNS answers can change after the save.

const RESOLVE_TIMEOUT_MS = 5_000;

export type HostCheck = { ok: true; addresses: string[] } | { ok: false; reason: string };

/** every address of a name, as dns.lookup({ all: true }) gives them */
export type HostLookup = (host: string) => Promise<dns.LookupAddress[]>;

function systemLookup(host: string): Promise<dns.LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dns.lookup(host, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}

let hostLookup: HostLookup = systemLookup;

/**
 * Replaces the resolver of checkHost and guardedLookup (none: the system's again). For tests: a
 * name that resolves to a metadata address can then be tried without touching DNS or /etc/hosts.
 */
export function setHostLookup(lookup?: HostLookup): void {
  hostLookup = lookup ?? systemLookup;
}

function lookupAll(host: string): Promise<dns.LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), RESOLVE_TIMEOUT_MS);
    hostLookup(host).then(
      (addresses) => {
        clearTimeout(timer);
        resolve(addresses);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** `host` as a URL's hostname ("[::1]" and names alike): allowed by `policy`, or why not */
export async function checkHost(host: string, policy: AddressPolicy): Promise<HostCheck> {
  const literal = parseIpLiteral(host);
  if (literal) {
    const reason = addressRefusal(classifyAddress(literal), policy);
    return reason ? { ok: false, reason: `${host} is ${reason}` } : { ok: true, addresses: [literal.toString()] };
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await lookupAll(host);
  } catch {
    return { ok: false, reason: `${host} could not be resolved` };
  }
  if (!addresses.length) return { ok: false, reason: `${host} could not be resolved` };
  for (const { address } of addresses) {
    const ip = parseIpLiteral(address);
    const reason = ip ? addressRefusal(classifyAddress(ip), policy) : "not an address";
    if (reason) return { ok: false, reason: `${host} resolves to ${address}, ${reason}` };
  }
  return { ok: true, addresses: addresses.map((a) => a.address) };
}

export class AddressNotAllowedError extends Error {
  readonly code = "EADDRNOTALLOWED";
  constructor(message: string) {
    super(message);
    this.name = "AddressNotAllowedError";
  }
}

/**
 * A `lookup` for node:http/net that refuses a name when any of its addresses is refused. Node
 * calls it for names only; IP literals must be checked by the caller (literalRefusal).
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      for (const { address } of addresses) {
        const ip = parseIpLiteral(address);
        const reason = ip ? addressRefusal(classifyAddress(ip), policy) : "not an address";
        if (reason) return callback(new AddressNotAllowedError(`${hostname} resolves to ${address}, ${reason}`), "", 0);
      }
      if (!addresses.length)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    };
    // the system's resolver with Node's own options (family, hints); a replaced one as it is
    if (hostLookup === systemLookup) dns.lookup(hostname, { ...options, all: true }, answer);
    else
      hostLookup(hostname).then(
        (addresses) => answer(null, addresses),
        (err: NodeJS.ErrnoException) => answer(err, []),
      );
  };
}
