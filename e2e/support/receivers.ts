import http from "node:http";
import type { AddressInfo } from "node:net";

// Real HTTP receivers on 127.0.0.1 for the notification specs: a webhook endpoint, Bark and Gotify
// servers, a fake Resend API. Each records what it received; `respond` picks the status.

export type Received = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string };

export type Receiver = {
  url: string;
  got: Received[];
  close(): Promise<void>;
};

export async function startReceiver(
  opts: { port?: number; respond?: (req: Received, n: number) => { status: number; body?: string } } = {},
): Promise<Receiver> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const r: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts).toString("utf8"),
      };
      got.push(r);
      const answer = opts.respond?.(r, got.length) ?? { status: 200, body: "ok" };
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body ?? "{}");
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, "127.0.0.1", ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
