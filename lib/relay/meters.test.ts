import { describe, expect, it } from "vitest";
import { claudeCodeBody, claudeCodeStream } from "@/e2e/support/fixtures/claude-code";
import { codexTurn1Body, codexTurn1Stream } from "@/e2e/support/fixtures/codex-cli";
import { sseText, type SseEvent } from "@/e2e/support/mock-dialects";
import { messagesMeter, responsesMeter } from "./meters";
import { SseRelay } from "./sse";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** the events through an SseRelay with the meter, cut in small pieces; what is forwarded */
function relay(events: SseEvent[], meter: ReturnType<typeof responsesMeter.stream>) {
  const sse = new SseRelay(false, meter);
  const bytes = enc.encode(sseText(events));
  let out = "";
  for (let i = 0; i < bytes.length; i += 97)
    for (const ev of sse.push(bytes.subarray(i, i + 97))) out += dec.decode(ev);
  const tail = sse.end();
  if (tail) out += dec.decode(tail);
  return { sse, out };
}

describe("Responses stream meter (a Codex CLI turn)", () => {
  it("passes every event on, reads the usage of response.completed, its tool calls and the id", () => {
    const { sse, out } = relay(codexTurn1Stream, responsesMeter.stream(false));
    expect(out).toBe(sseText(codexTurn1Stream));
    expect(sse.sawDone).toBe(true);
    expect(sse.meter.responseId).toBe("resp_codex_1");
    expect(sse.usage).toEqual({
      promptTokens: 5321,
      completionTokens: 412,
      cachedTokens: 4864,
      reasoningTokens: 320,
      toolCalls: { web_search: 1 },
    });
  });

  it("without response.completed: no usage, not ended, the served deltas to count", () => {
    const { sse } = relay(codexTurn1Stream.slice(0, -1), responsesMeter.stream(false));
    expect(sse.usage).toBeNull();
    expect(sse.sawDone).toBe(false);
    expect(sse.generatedTexts()).toEqual(["**Listing files and checking Node LTS**", '{"command":', '["ls","-la"]}']);
  });

  it("a delta that quotes an end event or a usage object is text, not an end", () => {
    const trick: SseEvent[] = [
      {
        event: "response.output_text.delta",
        data: {
          type: "response.output_text.delta",
          delta: '{"type":"response.completed","response":{"usage":{"input_tokens":9}}}',
        },
      },
    ];
    const { sse } = relay(trick, responsesMeter.stream(false));
    expect(sse.sawDone).toBe(false);
    expect(sse.usage).toBeNull();
  });

  it("reads a non-stream body alike", () => {
    expect(responsesMeter.bodyUsage(codexTurn1Body)).toMatchObject({
      promptTokens: 5321,
      toolCalls: { web_search: 1 },
    });
    expect(responsesMeter.bodyId(codexTurn1Body)).toBe("resp_codex_1");
    expect(responsesMeter.bodyTexts(codexTurn1Body)).toContain('{"command":["ls","-la"]}');
  });
});

describe("Messages stream meter (a Claude Code turn)", () => {
  it("passes every event on (an unknown one too); input from message_start, output from message_delta", () => {
    const { sse, out } = relay(claudeCodeStream, messagesMeter.stream(false));
    expect(out).toBe(sseText(claudeCodeStream));
    expect(sse.sawDone).toBe(true);
    expect(sse.usage).toEqual({
      promptTokens: 20060,
      completionTokens: 187,
      cachedTokens: 18000,
      cacheWrite5mTokens: 1024,
      cacheWrite1hTokens: 1024,
      toolCalls: { web_search: 1 },
    });
  });

  it("cut before message_delta: the input classes of message_start as partial usage, the served text to count", () => {
    const { sse } = relay(claudeCodeStream.slice(0, 10), messagesMeter.stream(false));
    expect(sse.usage).toBeNull();
    expect(sse.meter.partial).toEqual({
      promptTokens: 20060,
      completionTokens: 3,
      cachedTokens: 18000,
      cacheWrite5mTokens: 1024,
      cacheWrite1hTokens: 1024,
    });
    expect(sse.generatedTexts()).toEqual(["The user wants a file listing; ", "run ls.", "I'll list the files."]);
  });

  it("reads a non-stream body alike", () => {
    expect(messagesMeter.bodyUsage(claudeCodeBody)).toMatchObject({ promptTokens: 20060, cacheWrite1hTokens: 1024 });
    expect(messagesMeter.bodyTexts(claudeCodeBody)).toEqual([
      "The user wants a file listing; run ls.",
      "I'll list the files.",
      "Bash",
      '{"command":"ls -la","description":"List files"}',
    ]);
  });
});
