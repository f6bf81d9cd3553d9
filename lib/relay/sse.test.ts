import { describe, expect, it } from "vitest";
import { SseRelay, dataOf } from "./sse";

const enc = new TextEncoder();
const dec = new TextDecoder();

const chunk = (content: string, extra = "") =>
  `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]${extra}}\n\n`;
const USAGE = `data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4}}}\n\n`;
const DONE = "data: [DONE]\n\n";

/** feeds `text` cut at every position in `cuts`, returns what is forwarded */
function relay(text: string, dropUsage: boolean, cuts: number[] = []) {
  const sse = new SseRelay(dropUsage);
  const bytes = enc.encode(text);
  const out: string[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    for (const ev of sse.push(bytes.subarray(from, cut))) out.push(dec.decode(ev));
    from = cut;
  }
  const tail = sse.end();
  if (tail) out.push(dec.decode(tail));
  return { sse, out: out.join("") };
}

describe("SseRelay", () => {
  const stream = chunk("Hel", ',"usage":null') + chunk("lo", ',"usage":null') + USAGE + DONE;

  it("passes events through byte for byte and reads usage and [DONE]", () => {
    const { sse, out } = relay(stream, false);
    expect(out).toBe(stream);
    expect(sse.usage).toEqual({ promptTokens: 12, completionTokens: 3, cachedTokens: 4 });
    expect(sse.sawDone).toBe(true);
    expect(sse.generatedTexts()).toEqual(["Hel", "lo"]);
  });

  it("leaves out the usage chunk when the client did not ask for it, but still reads it", () => {
    const { sse, out } = relay(stream, true);
    expect(out).toBe(chunk("Hel", ',"usage":null') + chunk("lo", ',"usage":null') + DONE);
    expect(sse.usage?.promptTokens).toBe(12);
  });

  it.each([[[1]], [[5, 6, 7]], [[20, 90, 91, 200]], [Array.from({ length: 60 }, (_, i) => i * 7)]])(
    "gives the same result however the bytes are split (%j)",
    (cuts) => {
      const { sse, out } = relay(
        stream,
        true,
        cuts.filter((c) => c < enc.encode(stream).length),
      );
      expect(out).toBe(chunk("Hel", ',"usage":null') + chunk("lo", ',"usage":null') + DONE);
      expect(sse.usage?.completionTokens).toBe(3);
    },
  );

  it("events that arrive together leave together: one write per upstream chunk, not per event", () => {
    const sse = new SseRelay(true);
    const text = chunk("a") + chunk("b") + USAGE + chunk("c") + DONE + 'data: {"par';
    const out = sse.push(enc.encode(text)).map((b) => dec.decode(b));
    // the usage chunk is left out, so the events before and after it are two slices
    expect(out).toEqual([chunk("a") + chunk("b"), chunk("c") + DONE]);
  });

  it("understands CRLF and CR line endings", () => {
    const crlf = stream.replace(/\n/g, "\r\n");
    const a = relay(crlf, false, [3, 100, 101]);
    expect(a.out).toBe(crlf);
    expect(a.sse.usage?.promptTokens).toBe(12);
    expect(a.sse.sawDone).toBe(true);
    const cr = stream.replace(/\n/g, "\r");
    const b = relay(cr, true, [50]);
    expect(b.sse.usage?.promptTokens).toBe(12);
    expect(b.out).not.toContain('"choices":[]');
  });

  it("keeps a usage object that rides on a content chunk (and forwards that chunk)", () => {
    const text = chunk("x", ',"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}') + DONE;
    const { sse, out } = relay(text, true);
    expect(out).toBe(text);
    expect(sse.usage).toEqual({ promptTokens: 2, completionTokens: 1, cachedTokens: 0 });
  });

  it("forwards an unterminated last event and comments unchanged", () => {
    const text = ": keep-alive\n\n" + chunk("a") + 'data: {"choices":[{"delta":{"content":"b"}}]}';
    const { sse, out } = relay(text, true, [4]);
    expect(out).toBe(text);
    expect(sse.sawDone).toBe(false);
    expect(sse.generatedTexts()).toEqual(["a", "b"]);
  });

  it("collects reasoning, tool-call arguments and completion text", () => {
    const text =
      'data: {"choices":[{"delta":{"reasoning_content":"think"}}]}\n\n' +
      'data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\\"a\\":1}"}}]}}]}\n\n' +
      'data: {"choices":[{"text":"legacy"}]}\n\n' +
      "data: not json\n\n";
    expect(relay(text, false).sse.generatedTexts()).toEqual(["think", "f", '{"a":1}', "legacy"]);
  });
});

describe("dataOf", () => {
  it.each([
    ["data: a\n\n", "a"],
    ["data:a\n\n", "a"],
    ["data: a\ndata: b\n\n", "a\nb"],
    ["event: x\nid: 1\n\n", null],
    [": comment\n\n", null],
  ])("%j -> %j", (ev, expected) => expect(dataOf(ev)).toBe(expected));
});
