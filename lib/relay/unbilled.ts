import { getRoutingSnapshot, pickChannel, routesFor, type RouteChannel } from "@/lib/channels/routing";
import { recordChannelError } from "@/lib/channels/service";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/body";
import { getOptions } from "@/lib/options/service";
import { assertModelAllowed } from "./auth";
import { anthropicErrorResponse } from "./errors";
import { messagesShape } from "./endpoints";
import { methodNotAllowed, withRelayKey, type RelayRequest } from "./mount";
import { forwardedHeaders } from "./proxy";
import { getResponseRouteOrThrow } from "./response-routes";
import { callUpstream, UpstreamFailure, upstreamFailureError, type UpstreamAnswer } from "./upstream";
import { requireModel } from "./validate";
import type { Mount, MountedHandler } from "@/lib/http/mount";

// The relay's unbilled calls: they run no model (or the provider does not charge them), so they
// hold and settle nothing, but they take the same key checks and reach only the right channel.
//   /v1/responses/{id}[/…]: GET (retrieve, input_items), DELETE, POST …/cancel — forwarded to the
//     channel that made the response (response-routes.ts), for the user who made it only.
//   /v1/messages/count_tokens: Anthropic's free token count, on a channel of the model.

const NO_CHANNELS: ReadonlySet<number> = new Set();

function passOn(answer: Extract<UpstreamAnswer, { kind: "json" }>, requestId: string): Response {
  return new Response(answer.text, {
    status: answer.status,
    headers: { "content-type": answer.contentType ?? "application/json", "x-request-id": requestId },
  });
}

async function forward(
  r: RelayRequest,
  o: {
    path: string;
    method: "GET" | "POST" | "DELETE";
    first: RouteChannel;
    next?: (tried: ReadonlySet<number>) => RouteChannel | null;
    body: (channel: RouteChannel) => string | null;
    forwardHeaders?: Record<string, string>;
  },
): Promise<Response> {
  const options = await getOptions();
  try {
    const answer = await callUpstream({
      path: o.path,
      method: o.method,
      first: o.first,
      next: o.next ?? (() => null),
      retryTimes: o.next ? options.RetryTimes : 0,
      body: (channel) => ({ text: o.body(channel), upstreamModel: "" }),
      forwardHeaders: o.forwardHeaders,
      stream: false,
      clientSignal: r.req.signal,
      addressPolicy: { allowPrivate: options.ChannelPrivateAddressesAllowed },
      onChannelFailure: (channelId, message) => void recordChannelError(channelId, message).catch(() => {}),
    });
    if (answer.kind !== "json") throw new AppError("upstream_error", "Unexpected stream", 502);
    return passOn(answer, r.requestId);
  } catch (e) {
    throw e instanceof UpstreamFailure ? upstreamFailureError(e) : e;
  }
}

// ── stored responses ─────────────────────────────────────────────────────────────────────────

/** /v1/responses/{id}, /v1/responses/{id}/input_items, /v1/responses/{id}/cancel */
const STORED_PATH = /^\/v1\/responses\/([A-Za-z0-9_\-.]{1,128})(\/input_items|\/cancel)?$/;

async function storedResponse(r: RelayRequest, method: "GET" | "POST" | "DELETE"): Promise<Response> {
  const url = new URL(r.req.url);
  const m = STORED_PATH.exec(url.pathname);
  if (!m) throw new AppError("unknown_url", `Invalid URL (${r.req.method} ${url.pathname})`, 404);
  const [, id, sub] = m;
  const allowed = sub === "/cancel" ? method === "POST" : sub === "/input_items" ? method === "GET" : method !== "POST";
  if (!allowed) throw methodNotAllowed(method, url.pathname);
  const route = await getResponseRouteOrThrow(id, r.auth.key.userId);
  const channel = (await getRoutingSnapshot()).byId.get(route.channelId);
  if (!channel) {
    throw new AppError(
      "response_channel_unavailable",
      `The channel that made response ${id} is no longer available`,
      503,
    );
  }
  return forward(r, {
    path: `${url.pathname}${url.search}`,
    method,
    first: channel,
    body: () => (method === "POST" ? "{}" : null),
  });
}

const getStored = withRelayKey({ path: "/v1/responses/{id}", method: "GET" }, (r) => storedResponse(r, "GET"));
const deleteStored = withRelayKey({ path: "/v1/responses/{id}", method: "DELETE" }, (r) => storedResponse(r, "DELETE"));
const cancelStored = withRelayKey({ path: "/v1/responses/{id}/cancel", method: "POST" }, (r) =>
  storedResponse(r, "POST"),
);

/** every /v1/responses/{id}… path, by method (each with its own method check) */
export const storedResponses: MountedHandler = (req: Request, mount: Mount) => {
  if (req.method === "DELETE") return deleteStored(req, mount);
  if (req.method === "POST") return cancelStored(req, mount);
  return getStored(req, mount);
};

// ── Anthropic token counting ─────────────────────────────────────────────────────────────────

/** POST /v1/messages/count_tokens: forwarded to a channel of the model; free, so nothing is held */
export const messagesCountTokens = withRelayKey(
  { path: "/v1/messages/count_tokens", method: "POST", writeError: anthropicErrorResponse },
  async (r) => {
    const { json, text } = await readJsonBody(r.req, env().RELAY_MAX_BODY_BYTES);
    const model = requireModel(json);
    messagesShape(json);
    assertModelAllowed(r.auth.key, model);
    const { tiers } = await routesFor(r.auth.usingGroup, model, "anthropic");
    const first = pickChannel(tiers, NO_CHANNELS);
    if (!first)
      throw new AppError(
        "model_not_found",
        `No available channel for model ${model} under group ${r.auth.usingGroup}`,
        503,
      );
    return forward(r, {
      path: "/v1/messages/count_tokens",
      method: "POST",
      first,
      next: (tried) => pickChannel(tiers, tried),
      // the client's bytes, unless the channel maps the model: then counted under the upstream's name
      body: (c) => (c.modelMapping[model] ? JSON.stringify({ ...json, model: c.modelMapping[model] }) : text),
      forwardHeaders: forwardedHeaders(r.req.headers, ["anthropic-version", "anthropic-beta"]),
    });
  },
);
