import { describe, expect, it } from "vitest";
import { parseUsage } from "./usage";

describe("parseUsage", () => {
  it.each([
    [
      { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      { promptTokens: 10, completionTokens: 5, cachedTokens: 0 },
    ],
    [
      { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 8 } },
      { promptTokens: 10, completionTokens: 5, cachedTokens: 8 },
    ],
    // embeddings: prompt and total only
    [
      { prompt_tokens: 7, total_tokens: 7 },
      { promptTokens: 7, completionTokens: 0, cachedTokens: 0 },
    ],
    // Responses-style names
    [
      { input_tokens: 4, output_tokens: 2, input_tokens_details: { cached_tokens: 1 } },
      { promptTokens: 4, completionTokens: 2, cachedTokens: 1 },
    ],
    // cached can never exceed prompt
    [
      { prompt_tokens: 3, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 9 } },
      { promptTokens: 3, completionTokens: 0, cachedTokens: 3 },
    ],
    [
      { prompt_tokens: 2.9, completion_tokens: 1.2 },
      { promptTokens: 2, completionTokens: 1, cachedTokens: 0 },
    ],
  ])("%j", (raw, expected) => expect(parseUsage(raw)).toEqual(expected));

  it.each([[null], [undefined], ["x"], [{}], [{ prompt_tokens: -1 }], [{ prompt_tokens: "5" }]])(
    "%j -> null",
    (raw) => {
      expect(parseUsage(raw)).toBeNull();
    },
  );
});
