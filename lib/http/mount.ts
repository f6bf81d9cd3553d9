import { clientIpFromHeaders } from "./client-ip";

// The framework-free handlers of the relay take a Web Request and what only the server knows:
// the client's address. A plain node:http server passes the socket's peer (clientIpFromSocket);
// a host that only hands over headers (Next's route handlers) mounts them with this.

export type Mount = { clientIp: string };
export type MountedHandler = (req: Request, mount: Mount) => Promise<Response>;

/** the handler as a Next route handler: the client's address from the headers */
export function fromHeaders(handler: MountedHandler): (req: Request) => Promise<Response> {
  return (req) => handler(req, { clientIp: clientIpFromHeaders(req.headers) });
}
