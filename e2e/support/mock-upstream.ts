import http from "node:http";
import type { AddressInfo } from "node:net";

// A mock OpenAI-compatible upstream on 127.0.0.1 (ephemeral port) for the integration tests, the
// e2e api specs and the relay benchmark. Its behaviour is set from the test (`mock.set({...})`):
// fail the next N requests with a status, stream with or without the usage chunk, end a stream
// without [DONE], stream slowly (for disconnect tests), answer embeddings as floats or base64.
// It records what it received (path, Authorization, body) and notices clients that go away.

export type MockUsage = { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };

export type MockBehaviour = {
  /** answer the next N requests with `failStatus` (decremented per request) */
  failNext: number;
  failStatus: number;
  /** do not answer at all: destroy the connection (a network error) */
  dropConnection: boolean;
  /** the text pieces of a completion: joined for non-stream answers, one chunk each when streaming */
  pieces: string[];
  usage: MockUsage;
  /** send usage (non-stream: the usage field; stream: the usage chunk when include_usage was asked) */
  sendUsage: boolean;
  /** end streams with `data: [DONE]` */
  sendDone: boolean;
  /** pause between stream chunks */
  chunkDelayMs: number;
  /** pause before the response headers */
  delayMs: number;
  /** embedding vector length */
  dimensions: number;
};

export type RecordedRequest = {
  method: string;
  path: string;
  authorization: string | null;
  body: Record<string, unknown> | null;
};

const DEFAULTS: MockBehaviour = {
  failNext: 0,
  failStatus: 500,
  dropConnection: false,
  pieces: ["Hello", " from", " the", " mock", " upstream", "."],
  usage: { prompt_tokens: 17, completion_tokens: 6 },
  sendUsage: true,
  sendDone: true,
  chunkDelayMs: 0,
  delayMs: 0,
  dimensions: 4,
};

/** What a failing mock says: a message a relay must never pass on (it names a key and a balance). */
export const SECRET_ERROR_MESSAGE =
  "Upstream exploded. Your balance is $12.34 on key sk-upstreamSECRET0000000000000000";

const CREATED = 1_700_000_000;

export class MockUpstream {
  readonly requests: RecordedRequest[] = [];
  behaviour: MockBehaviour = { ...DEFAULTS, usage: { ...DEFAULTS.usage }, pieces: [...DEFAULTS.pieces] };
  /** streams whose client went away before the end */
  disconnects = 0;
  /** chunks written to the stream that was cut off last */
  lastDisconnectChunks = -1;
  served = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly record: boolean,
  ) {}

  static async start(opts: { port?: number; record?: boolean } = {}): Promise<MockUpstream> {
    const holder: { mock?: MockUpstream } = {};
    const server = http.createServer((req, res) => {
      holder.mock!.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    holder.mock = new MockUpstream(server, `http://127.0.0.1:${port}`, opts.record ?? true);
    return holder.mock;
  }

  set(b: Partial<MockBehaviour>): this {
    this.behaviour = { ...this.behaviour, ...b };
    return this;
  }

  reset(): this {
    this.behaviour = { ...DEFAULTS, usage: { ...DEFAULTS.usage }, pieces: [...DEFAULTS.pieces] };
    this.requests.length = 0;
    this.disconnects = 0;
    this.lastDisconnectChunks = -1;
    this.served = 0;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
    const path = (req.url ?? "/").split("?")[0];
    if (this.record) {
      this.requests.push({ method: req.method ?? "", path, authorization: req.headers.authorization ?? null, body });
      if (this.requests.length > 1000) this.requests.shift();
    }
    const b = this.behaviour;
    if (b.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (b.delayMs) await sleep(b.delayMs);
    if (b.failNext > 0) {
      b.failNext--;
      return json(res, b.failStatus, {
        error: { message: SECRET_ERROR_MESSAGE, type: "server_error", code: "insufficient_quota" },
      });
    }
    this.served++;
    const model = typeof body?.model === "string" ? body.model : "mock-model";
    if (req.method === "GET" && path === "/v1/models") {
      return json(res, 200, {
        object: "list",
        data: [{ id: model, object: "model", created: CREATED, owned_by: "mock" }],
      });
    }
    if (req.method !== "POST" || !body)
      return json(res, 400, { error: { message: "bad request", type: "invalid_request_error", code: null } });
    if (path === "/v1/embeddings") return this.embeddings(res, body, model);
    if (path === "/v1/chat/completions" || path === "/v1/completions") {
      const chat = path === "/v1/chat/completions";
      if (body.stream === true) return this.stream(req, res, body, model, chat);
      return json(res, 200, this.completion(model, chat));
    }
    return json(res, 404, {
      error: { message: `Unknown path ${path}`, type: "invalid_request_error", code: "unknown_url" },
    });
  }

  private usageObject() {
    const u = this.behaviour.usage;
    return {
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      total_tokens: u.prompt_tokens + u.completion_tokens,
      ...(u.cached_tokens !== undefined ? { prompt_tokens_details: { cached_tokens: u.cached_tokens } } : {}),
    };
  }

  private completion(model: string, chat: boolean) {
    const content = this.behaviour.pieces.join("");
    const usage = this.behaviour.sendUsage ? { usage: this.usageObject() } : {};
    if (chat) {
      return {
        id: "chatcmpl-mock",
        object: "chat.completion",
        created: CREATED,
        model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        ...usage,
      };
    }
    return {
      id: "cmpl-mock",
      object: "text_completion",
      created: CREATED,
      model,
      choices: [{ index: 0, text: content, finish_reason: "stop" }],
      ...usage,
    };
  }

  private async stream(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Record<string, unknown>,
    model: string,
    chat: boolean,
  ) {
    const b = this.behaviour;
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "x-request-id": "mock-upstream-id",
    });
    let sent = 0;
    let gone = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        gone = true;
        this.disconnects++;
        this.lastDisconnectChunks = sent;
      }
    });
    const extra = includeUsage ? { usage: null } : {};
    const chunk = (choice: Record<string, unknown>) =>
      chat
        ? {
            id: "chatcmpl-mock",
            object: "chat.completion.chunk",
            created: CREATED,
            model,
            choices: [{ index: 0, ...choice }],
            ...extra,
          }
        : {
            id: "cmpl-mock",
            object: "text_completion",
            created: CREATED,
            model,
            choices: [{ index: 0, ...choice }],
            ...extra,
          };
    const write = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    if (chat) write(chunk({ delta: { role: "assistant", content: "" }, finish_reason: null }));
    for (const piece of b.pieces) {
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (gone) return;
      write(chunk(chat ? { delta: { content: piece }, finish_reason: null } : { text: piece, finish_reason: null }));
      sent++;
    }
    if (gone) return;
    write(chunk(chat ? { delta: {}, finish_reason: "stop" } : { text: "", finish_reason: "stop" }));
    if (includeUsage && b.sendUsage) {
      write(
        chat
          ? {
              id: "chatcmpl-mock",
              object: "chat.completion.chunk",
              created: CREATED,
              model,
              choices: [],
              usage: this.usageObject(),
            }
          : {
              id: "cmpl-mock",
              object: "text_completion",
              created: CREATED,
              model,
              choices: [],
              usage: this.usageObject(),
            },
      );
    }
    if (b.sendDone) res.write("data: [DONE]\n\n");
    res.end();
  }

  private embeddings(res: http.ServerResponse, body: Record<string, unknown>, model: string) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const base64 = body.encoding_format === "base64";
    const data = inputs.map((_, index) => {
      const vec = Array.from({ length: this.behaviour.dimensions }, (_, i) => (index + 1) * 0.125 + i * 0.25);
      const embedding = base64 ? Buffer.from(new Float32Array(vec).buffer).toString("base64") : vec;
      return { object: "embedding", index, embedding };
    });
    const p = this.behaviour.usage.prompt_tokens;
    return json(res, 200, {
      object: "list",
      data,
      model,
      ...(this.behaviour.sendUsage ? { usage: { prompt_tokens: p, total_tokens: p } } : {}),
    });
  }
}

/** the vector the mock returns for input number `index` (for assertions) */
export function mockEmbedding(index: number, dimensions = DEFAULTS.dimensions): number[] {
  return Array.from({ length: dimensions }, (_, i) => (index + 1) * 0.125 + i * 0.25);
}

function json(res: http.ServerResponse, status: number, obj: unknown) {
  const text = JSON.stringify(obj);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": "mock-upstream-id",
  });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
