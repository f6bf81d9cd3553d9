import { parentPort } from "node:worker_threads";
import { buildCounter, countTokens, type Counter, type EncodingName } from "./token-count";

// The token counting worker thread (started by tokenizer.ts): counts long prompts and answers off
// the server's event loop. One message per count, {id, encoding, texts} -> {id, tokens}. It has its
// own encoders, built on its first count.

type CountRequest = { id: number; encoding: EncodingName; texts: string[] };

const counters = new Map<EncodingName, Promise<Counter>>();

function counter(name: EncodingName): Promise<Counter> {
  let p = counters.get(name);
  if (!p) {
    p = (async () => {
      const ranks =
        name === "o200k_base"
          ? (await import("js-tiktoken/ranks/o200k_base")).default
          : (await import("js-tiktoken/ranks/cl100k_base")).default;
      return buildCounter(ranks);
    })();
    counters.set(name, p);
  }
  return p;
}

const port = parentPort;
if (port) {
  port.on("message", async (m: CountRequest) => {
    try {
      const c = await counter(m.encoding);
      let tokens = 0;
      for (const t of m.texts) tokens += countTokens(c, t);
      port.postMessage({ id: m.id, tokens });
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
