import type { RouteChannel } from "@/lib/channels/routing";
import type { AddressPolicy } from "@/lib/net/address";
import { AppError } from "@/lib/errors";
import { send, UpstreamNetworkError } from "./http-client";

// Calling the upstream: one POST per attempt, to the first channel and then — on a network error,
// a timeout, 5xx, 429, or 401/403 (the channel's own key was refused: another channel may work) —
// to other channels, up to RetryTimes more attempts. Other 4xx are the request's fault and are not
// retried. Nothing the upstream says about its keys, balances or quota reaches the client.

/** time allowed until the upstream's response headers (and, for non-stream answers, its body) */
const UPSTREAM_TIMEOUT_MS = 300_000;
const ERROR_BODY_LIMIT = 64 * 1024;

type Base = {
  channel: RouteChannel;
  upstreamModel: string;
  /** ids of the channels tried, in order (the last one answered) */
  tried: number[];
  upstreamRequestId: string;
};

export type UpstreamAnswer =
  | (Base & { kind: "json"; status: number; text: string; contentType: string | null })
  | (Base & { kind: "stream"; body: ReadableStream<Uint8Array>; abort(): void });

type AttemptFailure = { channelId: number; status: number | null; message: string };

/** Every attempt failed (or the client went away before an answer). */
export class UpstreamFailure extends Error {
  constructor(
    readonly attempts: AttemptFailure[],
    readonly clientGone: boolean,
  ) {
    super(clientGone ? "client went away before the upstream answered" : "upstream failed");
    this.name = "UpstreamFailure";
  }

  describe(): string {
    if (this.clientGone) return "client went away";
    return this.attempts.map((a) => `channel ${a.channelId}: ${a.status ?? a.message}`).join(", ");
  }
}

export type CallOptions = {
  /** with its query, if any */
  path: string;
  /** POST (default); GET and DELETE send no body */
  method?: "GET" | "POST" | "DELETE";
  first: RouteChannel;
  /** the channel for the next attempt, given those already tried */
  next(tried: ReadonlySet<number>): RouteChannel | null;
  retryTimes: number;
  body(channel: RouteChannel): { text: string | null; upstreamModel: string };
  /** request headers passed on as they are (anthropic-version, anthropic-beta) */
  forwardHeaders?: Readonly<Record<string, string>>;
  stream: boolean;
  clientSignal: AbortSignal;
  /** which addresses a channel may lead to (ChannelPrivateAddressesAllowed), checked at connection time */
  addressPolicy: AddressPolicy;
  /** told of every failed attempt (the channel's last error for the admins), never awaited */
  onChannelFailure?: (channelId: number, message: string) => void;
};

const isRetryableStatus = (s: number) => s >= 500 || s === 429 || s === 401 || s === 403 || s === 408;

export async function callUpstream(o: CallOptions): Promise<UpstreamAnswer> {
  const tried: number[] = [];
  const triedSet = new Set<number>();
  const failures: AttemptFailure[] = [];
  let channel: RouteChannel | null = o.first;
  for (let attempt = 0; channel && attempt <= o.retryTimes; attempt++) {
    if (o.clientSignal.aborted) throw new UpstreamFailure(failures, true);
    tried.push(channel.id);
    triedSet.add(channel.id);
    const outcome = await attemptOn(o, channel, tried);
    if ("kind" in outcome) return outcome;
    if ("clientGone" in outcome) throw new UpstreamFailure(failures, true);
    failures.push(outcome.failure);
    channel = o.next(triedSet);
  }
  throw new UpstreamFailure(failures, false);
}

/** one attempt: the answer, a failure another channel may not have, or the client gone */
type Attempt = UpstreamAnswer | { failure: AttemptFailure } | { clientGone: true };

/** One POST (or GET/DELETE) to one channel, with its timeout. A 4xx that is the request's fault throws. */
async function attemptOn(o: CallOptions, channel: RouteChannel, tried: readonly number[]): Promise<Attempt> {
  const { text, upstreamModel } = o.body(channel);
  const ctrl = new AbortController();
  const onClientAbort = () => ctrl.abort();
  o.clientSignal.addEventListener("abort", onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, UPSTREAM_TIMEOUT_MS);
  const done = () => {
    clearTimeout(timer);
    o.clientSignal.removeEventListener("abort", onClientAbort);
  };
  try {
    const url = `${channel.baseUrl}${o.path}`;
    const res = await send(
      o.method ?? "POST",
      url,
      requestHeaders(o, channel, text),
      text,
      ctrl.signal,
      o.addressPolicy,
    );
    const base: Base = {
      channel,
      upstreamModel,
      tried: [...tried],
      upstreamRequestId: headerText(res.headers["x-request-id"]),
    };
    if (res.status >= 200 && res.status < 300) {
      const contentType = headerText(res.headers["content-type"]) || null;
      if (o.stream && contentType?.includes("text/event-stream")) {
        clearTimeout(timer); // a stream may run for long; the client's abort still applies
        return { ...base, kind: "stream", body: res.stream(), abort: () => ctrl.abort() };
      }
      const body = await res.text();
      done();
      return { ...base, kind: "json", status: res.status, text: body, contentType };
    }
    // the body of an error is read (not cut off), so the connection can be reused
    const errText = (await res.text().catch(() => "")).slice(0, ERROR_BODY_LIMIT);
    done();
    if (!isRetryableStatus(res.status)) throw sanitizedClientError(res.status, errText);
    o.onChannelFailure?.(channel.id, `HTTP ${res.status}`);
    return { failure: { channelId: channel.id, status: res.status, message: `status ${res.status}` } };
  } catch (e) {
    done();
    if (e instanceof AppError) throw e;
    if (o.clientSignal.aborted) return { clientGone: true };
    const message = timedOut ? "timeout" : networkMessage(e);
    o.onChannelFailure?.(channel.id, message);
    return { failure: { channelId: channel.id, status: null, message } };
  }
}

function requestHeaders(o: CallOptions, channel: RouteChannel, text: string | null): Record<string, string> {
  return {
    ...o.forwardHeaders,
    ...channelAuth(channel),
    ...(text === null ? {} : { "content-type": "application/json" }),
    accept: o.stream ? "text/event-stream" : "application/json",
  };
}

/** the channel's key, where its dialect expects it */
function channelAuth(channel: RouteChannel): Record<string, string> {
  return channel.dialect === "anthropic" ? { "x-api-key": channel.key } : { authorization: `Bearer ${channel.key}` };
}

const headerText = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(", ") : (v ?? ""));

function networkMessage(e: unknown): string {
  if (e instanceof UpstreamNetworkError) return (e.code ?? e.message).slice(0, 100);
  if (e instanceof Error) return e.message.slice(0, 100);
  return "network error";
}

// Messages that could reveal the upstream's account: its keys, balance, quota, billing, org.
const SECRET_RE =
  /api[\s_-]?key|sk-[a-z0-9]|bearer|balance|quota|credit|billing|insufficient|payment|account|organi[sz]ation|org-[a-z0-9]|\$\s?\d|¥\s?\d|余额|额度|令牌/i;

/** A 4xx of the upstream (not retried) as the client's error, without anything secret. */
export function sanitizedClientError(status: number, text: string): AppError {
  let message = "";
  let code = "";
  let param: string | null = null;
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; code?: unknown; param?: unknown } | string;
      message?: unknown;
    };
    const err = typeof body.error === "object" && body.error ? body.error : null;
    message =
      typeof err?.message === "string"
        ? err.message
        : typeof body.error === "string"
          ? body.error
          : typeof body.message === "string"
            ? body.message
            : "";
    code = typeof err?.code === "string" ? err.code : "";
    param = typeof err?.param === "string" ? err.param : null;
  } catch {
    // not JSON: say nothing of it
  }
  const safe = message && message.length <= 500 && !SECRET_RE.test(message);
  const safeCode = /^[a-z0-9_]{1,64}$/.test(code) && !SECRET_RE.test(code) ? code : "upstream_bad_request";
  return new AppError(
    safeCode,
    safe ? `Upstream: ${message}` : `The upstream rejected the request (status ${status})`,
    status,
    undefined,
    param && param.length <= 64 ? param : null,
  );
}

/** What the client is told when every attempt failed. */
export function upstreamFailureError(f: UpstreamFailure): AppError {
  if (f.clientGone) return new AppError("client_closed_request", "The client closed the request", 499);
  const last = f.attempts[f.attempts.length - 1];
  if (!last || last.status === null) {
    return new AppError("upstream_unavailable", "The upstream could not be reached; nothing was charged", 502);
  }
  if (last.status === 429) {
    return new AppError("upstream_rate_limited", "The upstream is rate limiting requests; please retry later", 429);
  }
  if (last.status === 401 || last.status === 403) {
    return new AppError(
      "upstream_auth_failed",
      "The upstream refused the relay's credentials; nothing was charged",
      502,
    );
  }
  if (last.status === 408) return new AppError("upstream_timeout", "The upstream timed out; nothing was charged", 504);
  const status = last.status === 503 || last.status === 504 ? last.status : 502;
  return new AppError("upstream_error", `The upstream failed (status ${last.status}); nothing was charged`, status);
}
