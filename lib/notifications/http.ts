import "server-only";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { env } from "@/lib/env";
import type { AddressPolicy } from "@/lib/net/address";
import { checkHost } from "@/lib/net/resolve";
import { getOptions } from "@/lib/options/service";

// The one way a notification leaves the machine (webhook, Bark, Gotify). SSRF guard: the host is
// resolved and EVERY address checked (private, loopback, link-local, multicast, metadata; IPv4 and
// IPv6 in any spelling, lib/net/address.ts), then the connection goes to the address that was
// checked — a pinned lookup, so a DNS answer that changes between check and connect (rebinding)
// is never used. Redirects are not followed: a 3xx fails at once (a retry gets the same answer).

const TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 2_000;

/** NotifyAllowPrivateTargets (admin) or TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS=true lets loopback and private through */
export async function targetPolicy(): Promise<AddressPolicy> {
  const envAllows = ["true", "1"].includes(env().TOLLGATE_ALLOW_PRIVATE_NOTIFY_TARGETS ?? "");
  const allowPrivate = envAllows || (await getOptions()).NotifyAllowPrivateTargets;
  return { allowPrivate, privateSwitch: "NotifyAllowPrivateTargets" };
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
    /** false: retrying cannot help (refused address, bad configuration) */
    readonly retryable = true,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export type OutgoingRequest = {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
};

/** Sends one request; resolves with the status of a 2xx answer, throws DeliveryError otherwise. */
export async function sendGuarded(req: OutgoingRequest, policy: AddressPolicy): Promise<{ statusCode: number }> {
  let u: URL;
  try {
    u = new URL(req.url);
  } catch {
    throw new DeliveryError("The URL is not valid", null, false);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new DeliveryError("URL must start with http:// or https://", null, false);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const check = await checkHost(u.hostname, policy);
  if (!check.ok) {
    const retryable = check.reason.endsWith("could not be resolved");
    throw new DeliveryError(`Refused: ${check.reason}`, null, retryable);
  }
  const address = check.addresses[0];
  const family = address.includes(":") ? 6 : 4;
  // pinned: connect to exactly the address that passed the check
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const secure = u.protocol === "https:";
  const payload = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
  return new Promise((resolve, reject) => {
    const r = (secure ? https : http).request({
      protocol: u.protocol,
      hostname: host,
      port: u.port || (secure ? 443 : 80),
      path: `${u.pathname}${u.search}`,
      method: req.method,
      headers: { ...req.headers, ...(payload ? { "content-length": String(payload.byteLength) } : {}) },
      lookup,
      agent: false,
      timeout: TIMEOUT_MS,
    });
    r.on("timeout", () => r.destroy(new DeliveryError(`No answer within ${TIMEOUT_MS / 1000} s`)));
    r.on("error", (e) => reject(e instanceof DeliveryError ? e : new DeliveryError(e.message)));
    r.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const parts: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < MAX_ERROR_BODY) parts.push(c);
        size += c.length;
      });
      res.on("error", (e) => reject(new DeliveryError(e.message, status)));
      res.on("end", () => {
        if (status >= 200 && status < 300) return resolve({ statusCode: status });
        const text = Buffer.concat(parts).toString("utf8").slice(0, MAX_ERROR_BODY).trim();
        const redirect = status >= 300 && status < 400;
        const location = String(res.headers.location ?? "").slice(0, 200);
        const what = redirect
          ? `redirect${location ? ` to ${location}` : ""} not followed: set the final address`
          : text || http.STATUS_CODES[status] || "";
        // a redirect answers the same on every retry, and so does a 4xx other than 408/429 (the
        // receiver refuses this request): both fail at once
        const retryable = status >= 500 || status === 408 || status === 429;
        reject(new DeliveryError(`HTTP ${status}${what ? `: ${what}` : ""}`, status, retryable));
      });
    });
    r.end(payload);
  });
}
