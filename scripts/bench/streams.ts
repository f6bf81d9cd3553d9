import http from "node:http";
import { percentile, rssBytes } from "./support";

// Many slow streams open at once through the relay (part of `npm run bench:relay`): STREAMS chat
// completions started together, each streamed by the slow mock upstream (relay-servers.ts slow) at
// one event every EVENT_MS. Measured: the time to the first byte of each response body (the role
// event, which the upstream sends at once), and the resident memory of the Tollgate server
// (every process of it) sampled every 250 ms while the streams are open. Two runs whose outputs
// differ only in length (events as large and as frequent, ten times as many) show whether the
// memory an open stream holds grows with what it has passed on.

export const STREAMS = 1000;
export const EVENT_MS = 100;
/** bytes of text per event */
export const PIECE = 1024;
/** events per stream of the short and the long output */
export const SHORT_EVENTS = 10;
export const LONG_EVENTS = 100;

export type StreamRun = {
  events: number;
  /** bytes of text per event */
  piece: number;
  streams: number;
  /** streams that ended with [DONE] */
  complete: number;
  ttfbP50: number;
  ttfbP99: number;
  /** ms from the first request to the last stream's end */
  seconds: number;
  /** bytes of response body received per stream (mean) */
  bodyBytes: number;
  /** the server's RSS before the first run, at the peak of this one, and at its end */
  baseline: number;
  peak: number;
  end: number;
};

/** a server to stream through: its base URL, its process (for its memory), the headers it wants */
export type StreamTarget = { url: string; pid: number; headers: Record<string, string> };

/** `streams` slow streams of `events` events through `target`, all started at once */
export async function slowStreams(
  target: StreamTarget,
  model: string,
  streams: number,
  events: number,
  baseline: number,
  piece = PIECE,
): Promise<StreamRun> {
  const url = new URL(`${target.url}/v1/chat/completions`);
  // one connection per stream, all at once
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const payload = JSON.stringify({
    model,
    stream: true,
    max_tokens: events * piece,
    messages: [{ role: "user", content: `Tell me a story in ${events} events of ${piece} bytes` }],
  });
  let peak = rssBytes(target.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(target.pid))), 250);
  const started = performance.now();
  const results = await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise<{ ttfb: number; bytes: number; done: boolean }>((resolve) => {
          const t0 = performance.now();
          let ttfb = NaN;
          let bytes = 0;
          let tail = "";
          const req = http.request(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              method: "POST",
              agent,
              headers: {
                "content-type": "application/json",
                "content-length": Buffer.byteLength(payload),
                ...target.headers,
              },
            },
            (res) => {
              res.on("data", (c: Buffer) => {
                if (bytes === 0) ttfb = performance.now() - t0;
                bytes += c.length;
                tail = (tail + c.toString("utf8")).slice(-64);
              });
              res.on("end", () =>
                resolve({ ttfb, bytes, done: res.statusCode === 200 && tail.includes("data: [DONE]") }),
              );
              res.on("error", () => resolve({ ttfb, bytes, done: false }));
            },
          );
          req.on("error", () => resolve({ ttfb, bytes, done: false }));
          req.end(payload);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const ttfbs = results
    .map((r) => r.ttfb)
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  return {
    events,
    piece,
    streams,
    complete: results.filter((r) => r.done).length,
    ttfbP50: percentile(ttfbs, 50),
    ttfbP99: percentile(ttfbs, 99),
    seconds,
    bodyBytes: results.reduce((a, r) => a + r.bytes, 0) / streams,
    baseline,
    peak: Math.max(peak, rssBytes(target.pid)),
    end: rssBytes(target.pid),
  };
}
