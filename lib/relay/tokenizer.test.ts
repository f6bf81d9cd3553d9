import { Tiktoken } from "js-tiktoken/lite";
import { performance as nodePerformance } from "node:perf_hooks";
import o200k from "js-tiktoken/ranks/o200k_base";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import {
  chatPromptParts,
  countPromptTokens,
  countTextTokens,
  countTexts,
  encodingForModel,
  inputPromptParts,
  messagesPromptParts,
  promptTokenUpperBound,
  responsesPromptParts,
  warmTokenizers,
} from "./tokenizer";

describe("encodingForModel", () => {
  it.each([
    ["gpt-4o", "o200k_base"],
    ["gpt-4o-mini", "o200k_base"],
    ["gpt-4.1-nano", "o200k_base"],
    ["gpt-5", "o200k_base"],
    ["o3-mini", "o200k_base"],
    ["openai/gpt-4o", "o200k_base"],
    ["gpt-4-turbo", "cl100k_base"],
    ["gpt-3.5-turbo", "cl100k_base"],
    ["claude-sonnet-4-5", "cl100k_base"],
    ["text-embedding-3-small", "cl100k_base"],
  ])("%s -> %s", (model, enc) => expect(encodingForModel(model)).toBe(enc));
});

describe("counting", () => {
  it("counts with the real encoders", async () => {
    // known counts of tiktoken
    expect(await countTextTokens("gpt-4o", "Hello world")).toBe(2);
    expect(await countTextTokens("gpt-3.5-turbo", "Hello world")).toBe(2);
    expect(await countTextTokens("gpt-4o", " hello hello hello")).toBe(3);
    expect(await countTextTokens("gpt-4o", "")).toBe(0);
    // o200k and cl100k differ on this one
    expect(await countTextTokens("gpt-3.5-turbo", "tiktoken is great!")).toBe(6);
  });

  it("counts a chat prompt like OpenAI's cookbook (3 per message + 3 priming)", async () => {
    const body = {
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "Hello world" },
      ],
    };
    // role tokens: "system" 1, "user" 1; contents: 4 + 2; overhead 3 + 3×2 = 9
    expect(await countPromptTokens("gpt-4o", chatPromptParts(body))).toBe(1 + 4 + 1 + 2 + 9);
  });

  it("the upper bound never undercounts", async () => {
    const body = {
      messages: [
        { role: "user", content: "héllo wörld — 你好 🌍 ".repeat(20) },
        { role: "user", name: "bob", content: [{ type: "text", text: "x" }, { type: "image_url" }] },
      ],
    };
    const parts = chatPromptParts(body);
    expect(promptTokenUpperBound(parts)).toBeGreaterThanOrEqual(await countPromptTokens("gpt-4o", parts));
    expect(promptTokenUpperBound(parts)).toBeGreaterThanOrEqual(await countPromptTokens("gpt-4-turbo", parts));
  });

  it("reads completions prompts and embedding inputs, token arrays as one token each", async () => {
    expect(inputPromptParts(["a", ["b", 1, 2]], "prompt")).toEqual({ texts: ["a", "b"], overhead: 2 });
    expect(
      await countPromptTokens("text-embedding-3-small", inputPromptParts([[1, 2, 3], "Hello world"], "input")),
    ).toBe(5);
  });
});

describe("no count holds up the event loop", () => {
  const prose =
    "The quick brown fox jumps over the lazy dog. Tollgate relays requests, 12345 of them; naïve café — 你好 🌍\n";

  it("a long unbroken run counts at once (8,000 `a`s took 5 s)", async () => {
    await warmTokenizers();
    const started = performance.now();
    expect(await countTextTokens("gpt-4o", "a".repeat(8_000))).toBe(1_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 30_000);

  it("beyond a million characters in all a prompt is estimated from its size, however it is split", async () => {
    const text = "a".repeat(10 * 1024 * 1024);
    expect(await countPromptTokens("gpt-4o", { texts: [text], overhead: 3 })).toBe(3 + Math.ceil(text.length / 3));
    // 10 MB of prose in 1,024 messages: each one short, together far too long to encode
    const message = prose.repeat(Math.ceil(10_240 / prose.length)).slice(0, 10_240);
    const bytes = Buffer.byteLength(message);
    expect(await countPromptTokens("gpt-4o", { texts: Array.from({ length: 1024 }, () => message), overhead: 0 })).toBe(
      1024 * Math.ceil(bytes / 3),
    );
  }, 60_000);

  it("long prompts are counted exactly in the worker thread while the event loop keeps turning", async () => {
    const texts = [prose.repeat(4000), prose.repeat(2000)]; // ~600,000 characters
    await warmTokenizers();
    const reference = new Tiktoken(o200k);
    // the time this thread's event loop is busy (not waiting): counting in place, that is the whole
    // count; in the worker only the hand-over. Both are measured here, one after the other, so a
    // busy machine slows both alike (a fixed limit in milliseconds failed on a loaded CI machine).
    const inPlaceStart = nodePerformance.eventLoopUtilization();
    const expected = reference.encode(texts[0], "all").length + reference.encode(texts[1], "all").length;
    const inPlace = nodePerformance.eventLoopUtilization(inPlaceStart).active;
    const before = nodePerformance.eventLoopUtilization();
    expect(await countTexts("gpt-4o", texts)).toBe(expected);
    const busy = nodePerformance.eventLoopUtilization(before).active;
    expect(busy).toBeLessThan(inPlace / 2);
  }, 30_000);
});

describe("nesting", () => {
  it("walks a prompt of 5,000 nested arrays without recursion and refuses it with a 400", () => {
    let deep: unknown = "a";
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const err = (() => {
      try {
        inputPromptParts(deep, "prompt");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: "nesting_too_deep", param: "prompt" });
  });

  it("keeps the order of the texts", () => {
    expect(inputPromptParts(["a", ["b", ["c"], "d"], "e"], "input").texts).toEqual(["a", "b", "c", "d", "e"]);
  });
});

describe("prompts of the Responses and Messages dialects (estimates)", () => {
  it("Responses: instructions, every input item's text, tool definitions; images at OpenAI's high-detail size", () => {
    const parts = responsesPromptParts({
      instructions: "Be brief.",
      input: [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Look:" },
            { type: "input_image", image_url: "data:…" },
          ],
        },
        { type: "reasoning", summary: [{ type: "summary_text", text: "thinking" }], encrypted_content: "opaque" },
        { type: "function_call", name: "shell", arguments: '{"command":["ls"]}', call_id: "c1" },
        { type: "function_call_output", call_id: "c1", output: "a.txt" },
        { type: "message", role: "assistant", content: "done" },
      ],
      tools: [{ type: "web_search" }],
    });
    expect(parts.texts).toEqual([
      "Be brief.",
      "Look:",
      "thinking",
      '{"command":["ls"]}',
      "a.txt",
      "done",
      '[{"type":"web_search"}]',
    ]);
    // priming 3 + 5 items × 3 + one image 765
    expect(parts.overhead).toBe(3 + 15 + 765);
    expect(parts.estimatedBlocks).toBe(1);
    expect(responsesPromptParts({ input: "hello" })).toEqual({ texts: ["hello"], overhead: 6 });
  });

  it("Messages: system blocks, message blocks, tool uses and results, thinking; images and documents at their documented size", () => {
    const parts = messagesPromptParts({
      system: [{ type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "hi" },
            { type: "image", source: {} },
            { type: "document", source: {} },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a.txt" }] }],
        },
      ],
      tools: [{ name: "Bash", input_schema: { type: "object" } }],
    });
    expect(parts.texts).toEqual([
      "You are Claude Code.",
      "hi",
      "hmm",
      '{"command":"ls"}',
      "a.txt",
      '[{"name":"Bash","input_schema":{"type":"object"}}]',
    ]);
    // priming 3 + 3 messages × 3 + an image 1600 + a document 1600
    expect(parts.overhead).toBe(3 + 9 + 3200);
    expect(parts.estimatedBlocks).toBe(2);
    expect(messagesPromptParts({ system: "sys", messages: [{ role: "user", content: "q" }] })).toEqual({
      texts: ["sys", "q"],
      overhead: 6,
    });
  });
});
