// Helper processes of the relay benchmark (scripts/bench/relay.ts), each in its own process so the
// load generator, the upstream and the proxy do not share one event loop:
//   tsx scripts/bench/relay-servers.ts mock            -> the mock upstream
//   tsx scripts/bench/relay-servers.ts proxy <url>     -> a plain node:http pass-through proxy to <url>
// Each prints one line of JSON {"url": …} when it listens, and runs until killed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MockUpstream } from "../../e2e/support/mock-upstream";

async function mock() {
  const m = await MockUpstream.start({ record: false });
  console.log(JSON.stringify({ url: m.url }));
}

/** The limit of any relay written in Node: parse nothing, pipe both ways, keep-alive upstream. */
async function proxy(target: string) {
  const up = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
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
else if (mode === "proxy" && arg) await proxy(arg);
else {
  console.error("usage: relay-servers.ts mock | proxy <url>");
  process.exit(2);
}
