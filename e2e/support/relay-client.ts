import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { E2E_BASE_URL } from "../global-setup";

/** The official client against the e2e server, with no retries of its own (a retry would hide a double charge). */
export function openai(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${E2E_BASE_URL}/v1`, maxRetries: 0, timeout: 20_000 });
}

/** Anthropic's official client against the e2e server (it appends /v1/messages itself), no retries. */
export function anthropic(apiKey: string): Anthropic {
  return new Anthropic({ apiKey, baseURL: E2E_BASE_URL, maxRetries: 0, timeout: 20_000 });
}

/** A raw call to the e2e server (for what the client cannot send: no key, bad JSON, huge bodies). */
export async function rawCall(
  path: string,
  init: { method?: string; key?: string | null; body?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  const res = await fetch(`${E2E_BASE_URL}${path}`, { method: init.method ?? "POST", headers, body: init.body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  // the shape is the test's to assert; any keeps the assertions short
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, requestId: res.headers.get("x-request-id"), json: json as Record<string, any>, text };
}
