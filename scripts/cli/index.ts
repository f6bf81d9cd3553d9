import "server-only";
import { z } from "zod";
import { closeBus } from "@/lib/cache/bus";
import { disconnectDb } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import type { Command, CommandMap } from "./command";
import { parseFlags, UsageError } from "./parse";
import { optionCommands } from "./option";
import { userCommands } from "./user";
import { billingCommands } from "./billing";
import { channelCommands } from "./channels";

// ── Command modules ─────────────────────────────────────────────────────────────────────────
// Each domain keeps its commands in scripts/cli/<domain>.ts and exports a CommandMap; add the
// map here. A name given twice is a programming error and stops the CLI at once.
const MODULES: CommandMap[] = [userCommands, optionCommands, billingCommands, channelCommands];

const helpCommand: Command = {
  summary: "list the commands, or show how to call one",
  usage: "[command]",
  flags: z.object({}),
  needsDatabase: false,
  async run() {
    return undefined;
  },
};

export const commands: CommandMap = mergeModules(MODULES);

function mergeModules(modules: CommandMap[]): CommandMap {
  const out: CommandMap = { help: helpCommand };
  for (const mod of modules) {
    for (const [name, command] of Object.entries(mod)) {
      if (name in out) throw new Error(`CLI command "${name}" is defined twice`);
      out[name] = command;
    }
  }
  return out;
}

const PROGRAM = "npm run tollgate --";

function usageLine(name: string, command: Command): string {
  return `${PROGRAM} ${name}${command.usage ? ` ${command.usage}` : ""}`;
}

function usageText(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) =>
    `  ${n.padEnd(width)}  ${commands[n].summary}\n  ${" ".repeat(width)}    ${commands[n].usage}`.trimEnd(),
  );
  return [
    `usage: ${PROGRAM} <command> [--flag value ...]`,
    "",
    "commands:",
    ...lines,
    "",
    "Prints JSON on success; on failure one line on stderr and a non-zero exit status.",
    "Uses DATABASE_URL, else the embedded database of a running `npm start`.",
  ].join("\n");
}

/** JSON with bigint as decimal strings (quota is bigint everywhere) */
function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** zod issues as `--flag: message` on one line */
function describeIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>,
): string {
  return issues
    .map((i) => {
      if (i.code === "unrecognized_keys" && i.keys)
        return `unknown flag ${i.keys.map((k) => `--${kebab(k)}`).join(", ")}`;
      if (i.message.startsWith("--")) return i.message;
      const path = i.path.map(String).join(".");
      return path ? `--${kebab(path)}: ${i.message}` : i.message;
    })
    .join("; ");
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** one readable line for anything a command may throw */
function describeError(e: unknown): string {
  if (isAppError(e)) return e.message;
  if (e instanceof z.ZodError) return describeIssues(e.issues);
  if (e instanceof Error) {
    // Prisma's messages span many lines (the invocation, then the cause): keep the cause
    const lines = e.message
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const code = (e as { code?: unknown }).code;
    const text = lines.length > 1 ? lines[lines.length - 1] : (lines[0] ?? e.name);
    return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(e);
}

type Io = { out: (s: string) => void; err: (s: string) => void; hasDatabase: boolean };

/** Runs one CLI invocation and returns the exit status: 0 ok, 1 command failed, 2 bad usage. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const target = name === "help" ? rest[0] : undefined;
    if (target && commands[target]) {
      io.out(`${usageLine(target, commands[target])}\n  ${commands[target].summary}`);
      return 0;
    }
    io.out(usageText());
    return target ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${usageText()}`);
    return 2;
  }
  if (rest.includes("--help")) {
    io.out(`${usageLine(name, command)}\n  ${command.summary}`);
    return 0;
  }

  let flags: unknown;
  try {
    const raw = parseFlags(rest);
    const schema = command.flags instanceof z.ZodObject ? command.flags.strict() : command.flags;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues));
    flags = parsed.data;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\nusage: ${usageLine(name, command)}`);
    return 2;
  }

  if (command.needsDatabase !== false && !io.hasDatabase) {
    io.err("error: no database: set DATABASE_URL, or start Tollgate with `npm start` and run the command again");
    return 1;
  }
  try {
    const result = await command.run(flags);
    io.out(toJson(result));
    return 0;
  } catch (e) {
    io.err(`error: ${describeError(e)}`);
    return 1;
  } finally {
    await disconnectDb().catch(() => {});
    await closeBus().catch(() => {});
  }
}
