// Helper processes of the relay benchmark (scripts/bench/relay.ts, started by support.ts
// startHelper), each in its own process so the load generator, the upstream and the proxy do not
// share one event loop:
//   tsx scripts/bench/relay-servers.ts mock            -> the mock upstream (answers at once)
//   tsx scripts/bench/relay-servers.ts slow <ms>       -> a mock upstream that streams an event every <ms>
//   tsx scripts/bench/relay-servers.ts proxy <url>     -> a plain node:http pass-through proxy to <url>
// Each prints one line of JSON {"url": …} when it listens, and runs until killed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MockUpstream } from "../../e2e/support/mock-upstream";

async function mock() {
  const m = await MockUpstream.start({ record: false });
  console.log(JSON.stringify({ url: m.url }));
}

/**
 * Chat completions that stream slowly: the role event at once, then N events of B bytes of text
 * one every `eventMs`, then the usage (when asked) and [DONE]. The request's last message says
 * "N events of B bytes": the stream benchmark compares outputs of different lengths.
 */
async function slow(eventMs: number) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
      model?: string;
      messages?: { content?: string }[];
      stream_options?: { include_usage?: boolean };
    };
    const asked = /(\d+) events of (\d+) bytes/.exec(body.messages?.at(-1)?.content ?? "");
    const events = Math.min(10_000, Number(asked?.[1] ?? 10));
    const piece = "All work and no play makes Jack a dull boy. "
      .repeat(1000)
      .slice(0, Math.min(1 << 20, Number(asked?.[2] ?? 100)));
    const base = { id: "chatcmpl-slow", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model };
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    let gone = false;
    res.once("close", () => (gone = !res.writableFinished));
    for (let i = 0; i < events; i++) {
      await new Promise((r) => setTimeout(r, eventMs));
      if (gone) return;
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    if (body.stream_options?.include_usage) {
      send({
        ...base,
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: events * 10, total_tokens: 10 + events * 10 },
      });
    }
    res.end("data: [DONE]\n\n");
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
}

/** The limit of any relay written in Node: parse nothing, pipe both ways, keep-alive upstream. */
async function proxy(target: string) {
  const up = new URL(target);
  // as many upstream sockets as the relay's own client (lib/relay/http-client.ts): 1,000 streams at once fit
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const server = http.createServer((req, res) => {
    const out = http.request(
      {
        host: up.hostname,
        port: up.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: up.host },
        agent,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
}

const [mode, arg] = process.argv.slice(2);
if (mode === "mock") await mock();
else if (mode === "slow") await slow(Number(arg ?? 100));
else if (mode === "proxy" && arg) await proxy(arg);
else {
  console.error("usage: relay-servers.ts mock | slow <ms> | proxy <url>");
  process.exit(2);
}
