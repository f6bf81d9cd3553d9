// Built-in prices for common models (public list prices, late 2026). Model ratio 1 = $2 per 1M input
// tokens; completion ratio = output price / input price; cache ratio = cached input / input.
// Admins override any of them through the ModelRatio / CompletionRatio / CacheRatio / ModelPrice options.

type Row = [model: string, inputUsdPer1M: number, outputUsdPer1M: number, cachedShare?: number];

const TOKEN_PRICED: Row[] = [
  ["gpt-5", 1.25, 10, 0.1],
  ["gpt-5-codex", 1.25, 10, 0.1],
  ["gpt-5-mini", 0.25, 2, 0.1],
  ["gpt-5-nano", 0.05, 0.4, 0.1],
  ["gpt-4.1", 2, 8, 0.25],
  ["gpt-4.1-mini", 0.4, 1.6, 0.25],
  ["gpt-4.1-nano", 0.1, 0.4, 0.25],
  ["gpt-4o", 2.5, 10, 0.5],
  ["gpt-4o-mini", 0.15, 0.6, 0.5],
  ["gpt-4-turbo", 10, 30],
  ["gpt-3.5-turbo", 0.5, 1.5],
  ["gpt-3.5-turbo-instruct", 1.5, 2],
  ["o1", 15, 60, 0.5],
  ["o3", 2, 8, 0.25],
  ["o3-mini", 1.1, 4.4, 0.5],
  ["o4-mini", 1.1, 4.4, 0.25],
  ["text-embedding-3-small", 0.02, 0.02],
  ["text-embedding-3-large", 0.13, 0.13],
  ["text-embedding-ada-002", 0.1, 0.1],
  ["claude-opus-4-5", 5, 25, 0.1],
  ["claude-opus-4-1", 15, 75, 0.1],
  ["claude-sonnet-4-5", 3, 15, 0.1],
  ["claude-sonnet-4", 3, 15, 0.1],
  ["claude-haiku-4-5", 1, 5, 0.1],
  ["claude-3-5-haiku", 0.8, 4, 0.1],
  ["gemini-2.5-pro", 1.25, 10, 0.25],
  ["gemini-2.5-flash", 0.3, 2.5, 0.25],
  ["gemini-2.5-flash-lite", 0.1, 0.4, 0.25],
  ["gemini-2.0-flash", 0.1, 0.4, 0.25],
];

// round to 6 significant decimals so the maps hold plain numbers such as 1.25 and 8.333333
const tidy = (n: number) => Number(n.toFixed(6));

export const DEFAULT_MODEL_RATIO: Record<string, number> = Object.fromEntries(
  TOKEN_PRICED.map(([m, input]) => [m, tidy(input / 2)]),
);
export const DEFAULT_COMPLETION_RATIO: Record<string, number> = Object.fromEntries(
  TOKEN_PRICED.map(([m, input, output]) => [m, tidy(output / input)]),
);
export const DEFAULT_CACHE_RATIO: Record<string, number> = Object.fromEntries(
  TOKEN_PRICED.filter((r) => r[3] !== undefined).map(([m, , , cached]) => [m, cached as number]),
);
/**
 * Prompt-cache writes, relative to the input price. Anthropic bills a 5-minute write at 1.25× and a
 * 1-hour write at 2× the input price for every Claude model; OpenAI does not bill writes (its
 * usage reports none), so its models need no entry. A model without one uses those same
 * multipliers (lib/quota/pricing.ts FALLBACK_CACHE_WRITE_*).
 */
const CLAUDE = TOKEN_PRICED.filter(([m]) => m.startsWith("claude-")).map(([m]) => m);
export const DEFAULT_CACHE_WRITE_RATIO: Record<string, number> = Object.fromEntries(CLAUDE.map((m) => [m, 1.25]));
export const DEFAULT_CACHE_WRITE_1H_RATIO: Record<string, number> = Object.fromEntries(CLAUDE.map((m) => [m, 2]));

/**
 * Hosted tools, USD per 1,000 calls (public list prices): web search $10 (OpenAI's web_search and
 * Anthropic's web_search tool alike), file search $2.50, a code interpreter container $0.03, an
 * image generation call $0.042 (gpt-image-1, medium quality, 1024×1024).
 */
export const DEFAULT_TOOL_CALL_PRICE: Record<string, number> = {
  web_search: 10,
  file_search: 2.5,
  code_interpreter: 30,
  image_generation: 42,
};

/** USD per call */
export const DEFAULT_MODEL_PRICE: Record<string, number> = {
  "dall-e-3": 0.04,
  "gpt-image-1": 0.042,
};
