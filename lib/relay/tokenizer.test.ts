import { describe, expect, it } from "vitest";
import { chatPromptParts, countPromptTokens, countTextTokens, encodingForModel, inputPromptParts, promptTokenUpperBound } from "./tokenizer";

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
    const body = { messages: [{ role: "system", content: "You are helpful." }, { role: "user", content: "Hello world" }] };
    // role tokens: "system" 1, "user" 1; contents: 4 + 2; overhead 3 + 3×2 = 9
    expect(await countPromptTokens("gpt-4o", chatPromptParts(body))).toBe(1 + 4 + 1 + 2 + 9);
  });

  it("the upper bound never undercounts", async () => {
    const body = { messages: [{ role: "user", content: "héllo wörld — 你好 🌍 ".repeat(20) }, { role: "user", name: "bob", content: [{ type: "text", text: "x" }, { type: "image_url" }] }] };
    const parts = chatPromptParts(body);
    expect(promptTokenUpperBound(parts)).toBeGreaterThanOrEqual(await countPromptTokens("gpt-4o", parts));
    expect(promptTokenUpperBound(parts)).toBeGreaterThanOrEqual(await countPromptTokens("gpt-4-turbo", parts));
  });

  it("reads completions prompts and embedding inputs, token arrays as one token each", async () => {
    expect(inputPromptParts(["a", ["b", 1, 2]])).toEqual({ texts: ["a", "b"], overhead: 2 });
    expect(await countPromptTokens("text-embedding-3-small", inputPromptParts([[1, 2, 3], "Hello world"]))).toBe(5);
  });
});
