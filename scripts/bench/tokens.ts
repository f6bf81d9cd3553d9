// npm run bench:tokens — the worst case of local token counting (lib/relay/tokenizer.ts), the step of
// the relay that once froze the server: a 10 MB request body made of one repeated character, for
// several characters, split into 1 to 65,536 messages, through the relay's own steps (the prompt's
// parts, then the count). Also the largest prompts that are still counted exactly (1,000,000
// characters, in the counting worker). Prints, per case, the wall time and the longest the event loop
// went without a turn, and records them in docs/benchmarks.md (section "Token counting").
//
//   BENCH_RUNS=5 (per case: the slowest of RUNS runs after one warm-up run)
import fs from "node:fs";
import os from "node:os";
import { chatPromptParts, countPromptTokens, warmTokenizers } from "@/lib/relay/tokenizer";
import { writeSection } from "./support";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BODY_BYTES = 10 * 1024 * 1024;
const TARGET_MS = 50;
const MODELS = ["gpt-4o", "gpt-3.5-turbo"]; // o200k_base, cl100k_base

const CHARS: [string, string][] = [
  ["`a`", "a"],
  ["`A`", "A"],
  ["space", " "],
  ["newline", "\n"],
  ["`!`", "!"],
  ["`1`", "1"],
  ["`é` (2 bytes)", "é"],
  ["`中` (3 bytes)", "中"],
  ["`🌍` (4 bytes)", "🌍"],
];
const SPLITS = [1, 10, 1024, 65_536];

type Row = {
  model: string;
  char: string;
  messages: number;
  bodyBytes: number;
  chars: number;
  tokens: number;
  wallMs: number;
  stallMs: number;
};

/** a chat body of about `bytes` bytes of JSON whose messages hold only `ch` */
function chatBody(ch: string, messages: number, bytes: number) {
  const perChar = Buffer.byteLength(JSON.stringify(ch)) - 2; // "\n" is 2 bytes in JSON
  const overhead = Buffer.byteLength(JSON.stringify({ role: "user", content: "" })) + 1;
  const count = Math.max(1, Math.floor((bytes / messages - overhead) / perChar));
  const content = ch.repeat(count);
  return { model: "m", messages: Array.from({ length: messages }, () => ({ role: "user", content })) };
}

/** wall time of `fn`, and the longest stretch in which a 1 ms timer could not fire */
async function measure(fn: () => Promise<number>): Promise<{ wallMs: number; stallMs: number; tokens: number }> {
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  last = started;
  const tokens = await fn();
  const end = performance.now();
  stall = Math.max(stall, end - last);
  clearInterval(ticker);
  return { wallMs: end - started, stallMs: stall, tokens };
}

async function run(model: string, char: string, body: ReturnType<typeof chatBody>): Promise<Row> {
  const count = () => countPromptTokens(model, chatPromptParts(body));
  await measure(count); // warm-up: JIT, and the worker's encoders on its first count
  let worst = { wallMs: 0, stallMs: 0, tokens: 0 };
  for (let i = 0; i < RUNS; i++) {
    const m = await measure(count);
    worst = { wallMs: Math.max(worst.wallMs, m.wallMs), stallMs: Math.max(worst.stallMs, m.stallMs), tokens: m.tokens };
  }
  const chars = body.messages.reduce((n, msg) => n + msg.content.length, 0);
  return {
    model,
    char,
    messages: body.messages.length,
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
    chars,
    ...worst,
  };
}

const f1 = (n: number) => n.toFixed(1);

/** one line per case, the models side by side: slowest ms (longest stall ms) */
function table(rows: Row[]): string {
  const cases = [...new Map(rows.map((r) => [`${r.char}|${r.messages}`, r])).values()];
  const cell = (c: Row, model: string) => {
    const r = rows.find((x) => x.model === model && x.char === c.char && x.messages === c.messages)!;
    return `${f1(r.wallMs)} (${f1(r.stallMs)})`;
  };
  return [
    `| text | messages | body | characters | ${MODELS.map((m) => `${m}: slowest ms (longest stall)`).join(" | ")} |`,
    `|---|---|---|---|${MODELS.map(() => "---|").join("")}`,
    ...cases.map(
      (c) =>
        `| ${c.char} | ${c.messages} | ${(c.bodyBytes / 1024 / 1024).toFixed(2)} MB | ${c.chars.toLocaleString("en-US")} | ${MODELS.map((m) => cell(c, m)).join(" | ")} |`,
    ),
  ].join("\n");
}

function machine(): string {
  const debian = fs.existsSync("/etc/debian_version")
    ? `Debian ${fs.readFileSync("/etc/debian_version", "utf8").trim()}`
    : os.type();
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ${debian}, Node ${process.versions.node}`;
}

async function main() {
  await warmTokenizers();
  const big: Row[] = [];
  for (const model of MODELS) {
    for (const [name, ch] of CHARS) {
      for (const messages of SPLITS) {
        const r = await run(model, name, chatBody(ch, messages, BODY_BYTES));
        big.push(r);
        console.log(
          `10 MB  ${model.padEnd(14)} ${name.padEnd(14)} ${String(messages).padStart(6)} msgs  ${f1(r.wallMs).padStart(7)} ms  stall ${f1(r.stallMs)} ms`,
        );
      }
    }
  }
  // the largest prompts still counted exactly (1,000,000 characters, in the worker) at their most
  // expensive: runs just within the 8 KB bound, each cut by a space; and prose
  const exact: Row[] = [];
  const cases: [string, string][] = [
    ...CHARS.map(([name, ch]): [string, string] => [
      `${name}, 8 KB runs`,
      `${ch.repeat(Math.floor(8_000 / Buffer.byteLength(ch)))} `,
    ]),
    ["prose", "The quick brown fox jumps over the lazy dog; Tollgate counts 12,345 tokens — naïve café 你好 🌍\n"],
  ];
  for (const model of MODELS) {
    for (const [name, unit] of cases) {
      const content = unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 999_990);
      const r = await run(model, name, { model: "m", messages: [{ role: "user", content }] });
      exact.push(r);
      console.log(
        `1M ch  ${model.padEnd(14)} ${name.padEnd(24)} ${f1(r.wallMs).padStart(7)} ms  stall ${f1(r.stallMs)} ms`,
      );
    }
  }
  const worst = big.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const worstStall = [...big, ...exact].reduce((a, b) => (b.stallMs > a.stallMs ? b : a));
  const worstExact = exact.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const met = worst.wallMs < TARGET_MS;
  const verdict =
    `Worst case for a 10 MB body of one repeated character: **${f1(worst.wallMs)} ms** (${worst.model}, ${worst.char}, ${worst.messages} message${worst.messages === 1 ? "" : "s"}); ` +
    `target < ${TARGET_MS} ms: ${met ? "met" : "**missed**"}.`;
  console.log(`\n${verdict}`);
  console.log(
    `Longest event-loop stall in any case: ${f1(worstStall.stallMs)} ms; slowest exact count (worker): ${f1(worstExact.wallMs)} ms.`,
  );
  writeSection(
    "Token counting",
    [
      `Run ${new Date().toISOString().slice(0, 10)} by \`npm run bench:tokens\` on ${machine()}, shared with other work.`,
      `Per case the slowest of ${RUNS} runs after a warm-up run, of the relay's counting step: the prompt's parts`,
      '(chatPromptParts) and their count (countPromptTokens). "Longest stall" is the longest the event loop went',
      "without a turn (a 1 ms timer) during the count.",
      "",
      verdict,
      `Longest event-loop stall in any case: ${f1(worstStall.stallMs)} ms (${worstStall.model}, ${worstStall.char}, ${worstStall.chars.toLocaleString("en-US")} characters).`,
      "",
      "A 10 MB body always holds more than 1,000,000 characters of text, so it is estimated from its size",
      "(one token per 3 bytes): linear and native, whatever the character and however it is split.",
      "",
      table(big),
      "",
      "The largest prompts still counted exactly (1,000,000 characters in one message) at their most expensive:",
      "runs of one character just within the 8 KB bound (longer runs are estimated from their bytes), and prose.",
      "They are counted in the counting worker thread: the wall time is the worker's, the event loop stays free.",
      "",
      table(exact),
      "",
      "Before: js-tiktoken's merge is cubic in the length of an unbroken run: 8,000 `a`s took ~5 s and",
      "32,000 over two minutes, on the event loop (health checks included).",
    ].join("\n"),
  );
  // the worker keeps nothing alive, but be explicit: this is a script
  process.exit(met ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
