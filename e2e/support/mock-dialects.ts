import http from "node:http";
import type { AddressInfo } from "node:net";

// A mock upstream on 127.0.0.1 that replays recorded answers (e2e/support/fixtures) of the OpenAI
// Responses API and the Anthropic Messages API, for the integration tests and the e2e api specs.
// The test says what a route answers (`mock.on("POST /v1/responses", { stream, json })`): a stream
// of SSE events, a JSON body, or an error status; streams may be slowed or cut off. It records
// every request (method, path with query, headers, body) and notices clients that go away.

export type SseEvent = { event?: string; data: unknown };

export type MockAnswer = {
  /** answered when the request asks to stream (`stream: true`), or always when `json` is absent */
  stream?: SseEvent[];
  /** answered to a non-stream request */
  json?: unknown;
  status?: number;
  /** stop a stream after this many events and hold the connection open */
  cutAfter?: number;
  /** pause between stream events */
  delayMs?: number;
};

export type RecordedDialectRequest = {
  method: string;
  /** with its query */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | null;
};

export class MockDialects {
  readonly requests: RecordedDialectRequest[] = [];
  private answers = new Map<string, MockAnswer>();
  /** streams whose client went away before the end */
  disconnects = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<MockDialects> {
    const holder: { mock?: MockDialects } = {};
    const server = http.createServer((req, res) => {
      holder.mock!.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    holder.mock = new MockDialects(server, `http://127.0.0.1:${port}`);
    return holder.mock;
  }

  /** what `${METHOD} ${path}` answers (the path without its query; a trailing * matches any rest) */
  on(route: string, answer: MockAnswer): this {
    this.answers.set(route, answer);
    return this;
  }

  reset(): this {
    this.answers.clear();
    this.requests.length = 0;
    this.disconnects = 0;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answerFor(method: string, path: string): MockAnswer | undefined {
    const exact = this.answers.get(`${method} ${path}`);
    if (exact) return exact;
    for (const [route, a] of this.answers) {
      if (route.endsWith("*") && `${method} ${path}`.startsWith(route.slice(0, -1))) return a;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> | null = null;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const url = req.url ?? "/";
    const method = req.method ?? "GET";
    this.requests.push({ method, url, headers: req.headers, body });
    const a = this.answerFor(method, url.split("?")[0]);
    if (!a) return json(res, 404, { error: { message: `Unknown route ${method} ${url}`, type: "not_found" } });
    if (a.status && a.status >= 400) return json(res, a.status, a.json ?? { error: { message: "mock failure" } });
    if (body?.stream === true || a.json === undefined) return this.stream(res, a);
    return json(res, a.status ?? 200, a.json);
  }

  private async stream(res: http.ServerResponse, a: MockAnswer): Promise<void> {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": "req_mock" });
    let gone = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        gone = true;
        this.disconnects++;
      }
    });
    const events = a.stream ?? [];
    for (let i = 0; i < events.length; i++) {
      if (a.cutAfter !== undefined && i >= a.cutAfter) return; // held open until the client leaves
      if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
      if (gone) return;
      const ev = events[i];
      res.write(`${ev.event ? `event: ${ev.event}\n` : ""}data: ${JSON.stringify(ev.data)}\n\n`);
    }
    res.end();
  }
}

function json(res: http.ServerResponse, status: number, obj: unknown) {
  const text = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** the SSE text of events, as the mock writes them */
export function sseText(events: SseEvent[]): string {
  return events.map((ev) => `${ev.event ? `event: ${ev.event}\n` : ""}data: ${JSON.stringify(ev.data)}\n\n`).join("");
}
