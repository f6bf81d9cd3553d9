// A second app node for the integration tests: it keeps its own options cache (lib/options) and
// answers each line "get <Key>" on stdin with the value it would use now, as JSON on stdout.
import readline from "node:readline";
import { getOptions } from "@/lib/options/service";
import type { OptionKey } from "@/lib/options/schemas";

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const [cmd, key] = line.trim().split(/\s+/);
  if (cmd !== "get") return;
  const options = await getOptions();
  process.stdout.write(`${JSON.stringify({ key, value: options[key as OptionKey] })}\n`);
});
await getOptions(); // warm the cache, then say so
process.stdout.write("ready\n");
