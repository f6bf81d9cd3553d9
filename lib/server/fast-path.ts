import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { relayHandlerFor } from "@/lib/relay/routes";
import { settlementHandlerFor } from "@/lib/settlement/routes";
import { clientIpFromSocket } from "@/lib/http/client-ip";
import type { MountedHandler } from "@/lib/http/mount";
import { HSTS, HTTPS_FORWARDED, SECURITY_HEADERS } from "@/lib/http/security-headers";

// The relay's door that does not go through Next's router. The production server (scripts/serve.mjs)
// offers every request to `serveFast` first: /v1/* and /api/settlement/* are answered here, by the
// same framework-free handlers that Next's route files mount (lib/relay/routes.ts,
// lib/settlement/routes.ts); everything else goes on to Next. Next's router costs about a
// millisecond of CPU per request, several times what the relay itself costs (docs/benchmarks.md).
//
// The Node request becomes a Web Request (its body a stream, read only by the handler that wants
// it) and the Web Response is written back with backpressure: a chunk waits until the socket took
// the previous one, so a slow client slows its upstream instead of filling memory. A client that
// leaves aborts the request's signal, which aborts the upstream call and settles what was served.

const HTTPS = new RegExp(`^${HTTPS_FORWARDED}$`);

/** The handler of a fast-path URL path, or null when Next should answer it. */
export function fastHandlerFor(pathname: string): MountedHandler | null {
  if (pathname === "/v1" || pathname.startsWith("/v1/")) return relayHandlerFor(pathname);
  if (pathname.startsWith("/api/settlement/")) return settlementHandlerFor(pathname);
  return null;
}

/** Answers the request when it belongs to the fast path (true), else leaves it alone (false). */
export function serveFast(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const handler = fastHandlerFor(query < 0 ? url : url.slice(0, query));
  if (!handler) return false;
  void serveMounted(handler, req, res);
  return true;
}

/** One request answered by a framework-free handler: Node's request in, the Web Response written back. */
export async function serveMounted(handler: MountedHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const gone = new AbortController();
  // "close" before the answer was finished: the client left (or the server cut the connection)
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  let response: Response;
  try {
    const request = webRequest(req, url, gone.signal);
    response = await handler(request, { clientIp: clientIpFromSocket(req.socket.remoteAddress, request.headers) });
  } catch (e) {
    // the handlers answer their own errors; this is a bug or a request Node let through that the
    // Fetch API refuses (an unparsable URL)
    console.error("fast path: request failed", e);
    if (!res.headersSent) {
      res.writeHead(e instanceof TypeError ? 400 : 500, { "content-type": "text/plain" });
    }
    res.end();
    return;
  }
  await write(response, req, res, gone.signal);
}

function webRequest(req: IncomingMessage, url: string, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // A fixed origin: handlers read only the path and query, and a client's Host header could make
  // the URL invalid (a bare 400 instead of the surface's error).
  return new Request(`http://localhost${url}`, {
    method,
    headers,
    signal,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    // @ts-expect-error Node's fetch needs it for a streamed body; the DOM typings do not know it
    duplex: hasBody ? "half" : undefined,
  });
}

async function write(response: Response, req: IncomingMessage, res: ServerResponse, gone: AbortSignal) {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  for (const { key, value } of SECURITY_HEADERS) if (!res.hasHeader(key)) res.setHeader(key, value);
  const proto = req.headers["x-forwarded-proto"];
  if (typeof proto === "string" && HTTPS.test(proto)) res.setHeader(HSTS.key, HSTS.value);

  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  if (!isStream(response)) {
    // a JSON answer is already whole in memory: sent with its length in one write, not chunked
    let body: Buffer;
    try {
      body = Buffer.from(await response.arrayBuffer());
    } catch (e) {
      if (!gone.aborted) console.error("fast path: response body failed", e);
      res.destroy();
      return;
    }
    res.setHeader("content-length", body.byteLength);
    res.end(body);
    return;
  }
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  gone.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (gone.aborted) return;
    }
    res.end();
  } catch (e) {
    // the body failed mid-way (an upstream broke): the client sees the connection end early
    if (!gone.aborted) console.error("fast path: response body failed", e);
    res.destroy();
  } finally {
    gone.removeEventListener("abort", stop);
  }
}

/** answers that arrive over time (SSE) are written as they come; the rest in one piece */
function isStream(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
}

/** resolves when the socket took what was written, or the connection closed */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
