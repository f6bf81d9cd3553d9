import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { literalRefusal, type AddressPolicy } from "@/lib/net/address";
import { guardedLookup } from "@/lib/net/resolve";

// The relay's HTTP client for upstream calls: node:http with keep-alive agents. It does the work of
// fetch() for a fraction of the CPU (no WHATWG body machinery on the request side, one buffer for a
// JSON answer), which matters because the relay shares one event loop with Next's own work.

// One pair of agents per address policy, so a kept-alive socket opened under one policy is never
// reused under the other. Names are checked by the agents' lookup at every new connection (a
// DNS answer that changed since the channel was saved is caught); IP literals, which Node does
// not look up, before the request.
function makeAgents(policy: AddressPolicy) {
  const lookup = guardedLookup(policy);
  const opts = { keepAlive: true, maxSockets: 1024, maxFreeSockets: 256, scheduling: "lifo" as const, lookup };
  return { http: new http.Agent(opts), https: new https.Agent(opts) };
}
const agentsByPolicy = { private: makeAgents({ allowPrivate: true }), public: makeAgents({ allowPrivate: false }) };

/** channels' default (ChannelPrivateAddressesAllowed = true) */
const DEFAULT_POLICY: AddressPolicy = { allowPrivate: true };

export type UpstreamResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the whole body as text */
  text(): Promise<string>;
  /** the body as a Web stream (for SSE) */
  stream(): ReadableStream<Uint8Array>;
  /** stop reading and drop the connection */
  destroy(): void;
};

export class UpstreamNetworkError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "UpstreamNetworkError";
  }
}

/**
 * POSTs `body` to `url`; resolves once the response headers arrived. `signal` aborts at any time.
 * `policy` decides which addresses may be connected to (link-local and metadata never).
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  policy: AddressPolicy = DEFAULT_POLICY,
): Promise<UpstreamResponse> {
  return send("POST", url, headers, body, signal, policy);
}

/** `post` for any method; a GET or DELETE without a body sends none */
export function send(
  method: "GET" | "POST" | "DELETE",
  url: string,
  headers: Record<string, string>,
  body: string | null,
  signal: AbortSignal,
  policy: AddressPolicy = DEFAULT_POLICY,
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new UpstreamNetworkError("aborted", "ABORT_ERR"));
    const u = new URL(url);
    const secure = u.protocol === "https:";
    const refused = literalRefusal(u.hostname, policy);
    if (refused) return reject(new UpstreamNetworkError(`${u.hostname} is ${refused}`, "EADDRNOTALLOWED"));
    const agents = policy.allowPrivate ? agentsByPolicy.private : agentsByPolicy.public;
    const payload = body === null ? null : Buffer.from(body, "utf8");
    const req = (secure ? https : http).request({
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port || (secure ? 443 : 80),
      path: `${u.pathname}${u.search}`,
      method,
      headers: payload ? { ...headers, "content-length": String(payload.byteLength) } : headers,
      agent: secure ? agents.https : agents.http,
    });
    const onAbort = () => req.destroy(new UpstreamNetworkError("aborted", "ABORT_ERR"));
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e: NodeJS.ErrnoException) => {
      signal.removeEventListener("abort", onAbort);
      reject(e instanceof UpstreamNetworkError ? e : new UpstreamNetworkError(e.message, e.code));
    });
    req.on("response", (res) => {
      res.on("close", () => signal.removeEventListener("abort", onAbort));
      resolve({
        status: res.statusCode ?? 502,
        headers: res.headers,
        text: () =>
          new Promise<string>((ok, fail) => {
            const parts: Buffer[] = [];
            res.on("data", (c: Buffer) => parts.push(c));
            res.on("end", () =>
              ok(parts.length === 1 ? parts[0].toString("utf8") : Buffer.concat(parts).toString("utf8")),
            );
            res.on("error", (e) => fail(new UpstreamNetworkError(e.message)));
            res.on("aborted", () => fail(new UpstreamNetworkError("aborted", "ECONNRESET")));
          }),
        stream: () => Readable.toWeb(res) as ReadableStream<Uint8Array>,
        destroy: () => res.destroy(),
      });
    });
    if (payload) req.end(payload);
    else req.end();
  });
}
