import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import o200k from "js-tiktoken/ranks/o200k_base";
import { describe, expect, it } from "vitest";
import { BYTES_PER_ESTIMATED_TOKEN, MAX_PIECE_BYTES, buildCounter, countTokens } from "./token-count";

// The counter must count exactly what js-tiktoken's encode(text, "all") returns (the counts the
// relay charged with before), only without its cubic cost on long unbroken runs.

const ENCODINGS = [
  ["o200k_base", new Tiktoken(o200k), buildCounter(o200k)],
  ["cl100k_base", new Tiktoken(cl100k), buildCounter(cl100k)],
] as const;

// pieces of prose, code, other scripts, emoji, combining marks, contractions, digits, special tokens,
// whitespace runs and a lone surrogate
const ATOMS = [
  "a",
  "b",
  "e",
  "t",
  "qu",
  "th",
  "ing",
  "tion",
  " ",
  "  ",
  "\n",
  "\n\n",
  "\t",
  "\r\n",
  "A",
  "Z",
  "HTTP",
  "é",
  "ß",
  "ü",
  "й",
  "ك",
  "中",
  "文",
  "日本語",
  "🌍",
  "👍🏽",
  "e\u0301",
  "'s",
  "'LL",
  "'re",
  "!",
  "?",
  "...",
  "-",
  "=",
  "_",
  "/",
  "{",
  "}",
  "();",
  "1",
  "23",
  "456",
  "7890",
  "<|endoftext|>",
  "<|fim_prefix|>",
  "<|endofprompt|>",
  "\ud800",
  "https://example.com/a?b=c",
];

function randomTexts(count: number): string[] {
  let seed = 20261129;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = "";
    const len = next(120);
    for (let j = 0; j < len; j++) s += ATOMS[next(ATOMS.length)];
    // runs, as long as js-tiktoken can still encode in reasonable time
    if (i % 7 === 0) s += ATOMS[next(ATOMS.length)].repeat(next(100));
    out.push(s);
  }
  return out;
}

describe("countTokens", () => {
  it.each(ENCODINGS)(
    "counts exactly as js-tiktoken %s does",
    (_name, reference, counter) => {
      const texts = [
        "",
        "Hello world",
        "The quick brown fox jumps over the lazy dog. Tollgate relays 12345 requests; naïve café — 你好世界 🌍\n",
        "function f(x) {\n    return x.map((y) => y * 2);\n}\n",
        "<|endoftext|>",
        "a<|endoftext|>b<|fim_prefix|>",
        ...randomTexts(800),
      ];
      const mismatches = texts.filter((t) => countTokens(counter, t) !== reference.encode(t, "all").length);
      expect(mismatches).toEqual([]);
    },
    30_000,
  );

  it.each(ENCODINGS)(
    "counts long runs exactly up to MAX_PIECE_BYTES (%s)",
    (_name, reference, counter) => {
      for (const run of [
        "a".repeat(1500),
        " ".repeat(1200) + "x",
        "!".repeat(1000),
        "中".repeat(400),
        "\n".repeat(900),
      ]) {
        expect(countTokens(counter, run)).toBe(reference.encode(run, "all").length);
      }
    },
    30_000,
  );

  it("estimates a run beyond MAX_PIECE_BYTES from its bytes, and the rest exactly", () => {
    const [, reference, counter] = ENCODINGS[0];
    const run = "a".repeat(MAX_PIECE_BYTES + 1);
    const text = `Hello world ${run}`;
    expect(countTokens(counter, text)).toBe(
      reference.encode("Hello world", "all").length + Math.ceil((run.length + 1) / BYTES_PER_ESTIMATED_TOKEN),
    );
  });

  it("8,000 `a`s (seconds in js-tiktoken) and a 1 MB run count at once", () => {
    const [, , counter] = ENCODINGS[0];
    const started = performance.now();
    countTokens(counter, "a".repeat(8_000));
    countTokens(counter, "a".repeat(1_000_000));
    countTokens(counter, `${" ".repeat(500_000)}\n${"中".repeat(300_000)}`);
    // a generous bound: the work is linear (about a millisecond per 100 KB); js-tiktoken took over 5 s for the first alone
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
