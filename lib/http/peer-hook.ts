import http from "node:http";

// Makes X-Forwarded-For trustworthy behind Next's request handler (see client-ip.ts): before that
// handler runs, the socket's peer address is appended to the header, as a reverse proxy does.
// Idempotent; only requests of node:http servers in this process are touched.

const FLAG = Symbol.for("tollgate.peerHook");
const SEEN = Symbol.for("tollgate.peerHook.seen");

type Patched = typeof http.Server.prototype & { [FLAG]?: true };

export function installForwardedForHook(): void {
  const proto = http.Server.prototype as Patched;
  if (proto[FLAG]) return;
  proto[FLAG] = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: [unknown, ...unknown[]]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage & { [SEEN]?: true };
      if (!req[SEEN]) {
        req[SEEN] = true;
        appendPeer(req);
      }
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
  } as typeof proto.emit;
}

export function appendPeer(req: http.IncomingMessage): void {
  const peer = req.socket?.remoteAddress;
  if (!peer) return;
  const prior = req.headers["x-forwarded-for"];
  const list = Array.isArray(prior) ? prior.join(", ") : prior;
  req.headers["x-forwarded-for"] = list ? `${list}, ${peer}` : peer;
}
