import "server-only";
import http from "node:http";
import https from "node:https";
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { literalRefusal } from "@/lib/net/address";
import { guardedLookup } from "@/lib/net/resolve";
import { getOptions } from "@/lib/options/service";
import { normaliseBaseUrl } from "./routing";
import { recordChannelError } from "./service";

// The admin's "test" of a channel: GET <base>/v1/models with the channel's key and, when a model
// is named, a one-token chat completion through it (for an Anthropic channel: the key in
// x-api-key with an anthropic-version, and a one-token message). Same address rules as the relay (lib/net,
// ChannelPrivateAddressesAllowed), a timeout, a fresh connection. The result says how long the
// upstream took or why it failed; a failure is also the channel's last error.

const PROBE_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 256 * 1024;
/** the Messages API version the test speaks (the relay passes the client's own on) */
const ANTHROPIC_VERSION = "2023-06-01";

export type ChannelTestResult =
  | { ok: true; latencyMs: number; models: number; chatLatencyMs: number | null }
  | { ok: false; latencyMs: number; step: "models" | "chat"; error: string };

type Answer = { status: number; text: string };

function request(
  url: string,
  init: { method: "GET" | "POST"; key: string; body?: string; dialect: string },
  allowPrivate: boolean,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const refused = literalRefusal(u.hostname, { allowPrivate });
    if (refused) return reject(new Error(`${u.hostname} is ${refused}`));
    const secure = u.protocol === "https:";
    const payload = init.body ? Buffer.from(init.body) : null;
    const req = (secure ? https : http).request({
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port || (secure ? 443 : 80),
      path: `${u.pathname}${u.search}`,
      method: init.method,
      agent: false,
      lookup: guardedLookup({ allowPrivate }),
      timeout: PROBE_TIMEOUT_MS,
      headers: {
        ...(init.dialect === "anthropic"
          ? { "x-api-key": init.key, "anthropic-version": ANTHROPIC_VERSION }
          : { authorization: `Bearer ${init.key}` }),
        accept: "application/json",
        ...(payload ? { "content-type": "application/json", "content-length": String(payload.byteLength) } : {}),
      },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)),
      PROBE_TIMEOUT_MS,
    );
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.byteLength;
        if (size <= BODY_LIMIT) parts.push(c);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.end(payload ?? undefined);
  });
}

/** the upstream's own error message, shortened; no key is echoed back */
function describeFailure(a: Answer, key: string): string {
  let detail = "";
  try {
    const body = JSON.parse(a.text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof m === "string") detail = m;
  } catch {
    detail = a.text.replace(/\s+/g, " ").trim();
  }
  // the admin runs this upstream account and may read its message, but not a key in it
  const text = `HTTP ${a.status}${detail ? `: ${detail}` : ""}`.split(key).join("***");
  return text.replace(/\b(sk-[A-Za-z0-9]{0,3})[A-Za-z0-9_-]{8,}/g, "$1***").slice(0, 200);
}

const errorText = (e: unknown) => (e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e));

export async function testChannel(input: { id: number; model?: string | null }): Promise<ChannelTestResult> {
  const channel = await db.channel.findUnique({
    where: { id: input.id },
    select: { id: true, baseUrl: true, key: true, models: true, modelMapping: true, dialect: true },
  });
  if (!channel) throw notFound("Channel");
  const { ChannelPrivateAddressesAllowed } = await getOptions();
  const base = normaliseBaseUrl(channel.baseUrl);
  const fail = async (step: "models" | "chat", latencyMs: number, error: string): Promise<ChannelTestResult> => {
    await recordChannelError(channel.id, `test (${step}): ${error}`, { force: true });
    return { ok: false, latencyMs, step, error };
  };

  let started = performance.now();
  let models = 0;
  try {
    const a = await request(
      `${base}/v1/models`,
      { method: "GET", key: channel.key, dialect: channel.dialect },
      ChannelPrivateAddressesAllowed,
    );
    const latencyMs = Math.round(performance.now() - started);
    if (a.status < 200 || a.status >= 300) return fail("models", latencyMs, describeFailure(a, channel.key));
    try {
      const list = (JSON.parse(a.text) as { data?: unknown[] }).data;
      models = Array.isArray(list) ? list.length : 0;
    } catch {
      return fail("models", latencyMs, "the answer is not JSON");
    }
  } catch (e) {
    return fail("models", Math.round(performance.now() - started), errorText(e));
  }
  const modelsLatency = Math.round(performance.now() - started);
  if (!input.model) return { ok: true, latencyMs: modelsLatency, models, chatLatencyMs: null };

  const mapping = (channel.modelMapping ?? {}) as Record<string, string>;
  const upstreamModel = mapping[input.model] ?? input.model;
  started = performance.now();
  try {
    const a = await request(
      `${base}${channel.dialect === "anthropic" ? "/v1/messages" : "/v1/chat/completions"}`,
      {
        method: "POST",
        key: channel.key,
        dialect: channel.dialect,
        body: JSON.stringify({ model: upstreamModel, max_tokens: 1, messages: [{ role: "user", content: "hi" }] }),
      },
      ChannelPrivateAddressesAllowed,
    );
    const chatLatencyMs = Math.round(performance.now() - started);
    if (a.status < 200 || a.status >= 300) return fail("chat", chatLatencyMs, describeFailure(a, channel.key));
    return { ok: true, latencyMs: modelsLatency, models, chatLatencyMs };
  } catch (e) {
    return fail("chat", Math.round(performance.now() - started), errorText(e));
  }
}
