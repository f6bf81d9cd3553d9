import { parentPort } from "node:worker_threads";
import { countTokens, loadCounter, type EncodingName } from "./token-count";

// The token counting worker thread (started by tokenizer.ts): counts long prompts and answers off
// the server's event loop. One message per count, {id, encoding, texts} -> {id, tokens}. It has its
// own encoders (loadCounter, per thread), built on its first count.

type CountRequest = { id: number; encoding: EncodingName; texts: string[] };

const port = parentPort;
if (port) {
  port.on("message", async (m: CountRequest) => {
    try {
      const c = await loadCounter(m.encoding);
      let tokens = 0;
      for (const t of m.texts) tokens += countTokens(c, t);
      port.postMessage({ id: m.id, tokens });
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
