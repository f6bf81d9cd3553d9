import type { RawFlags } from "./command";

/**
 * `--name value`, `--name=value` and bare `--flag` (true). Kebab-case names become camelCase.
 * A value that starts with "--" must use the `--name=value` form. No positional arguments.
 */
export function parseFlags(args: readonly string[]): RawFlags {
  const out: RawFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--") || arg === "--")
      throw new UsageError(`unexpected argument "${arg}" (flags are --name value)`);
    const eq = arg.indexOf("=");
    const rawName = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(rawName)) throw new UsageError(`bad flag "${arg}"`);
    const name = rawName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    let value: string | true;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    else value = true;
    if (name in out) throw new UsageError(`--${rawName} given more than once`);
    out[name] = value;
  }
  return out;
}

/** a mistake in how the command was called: the dispatcher adds the command's usage */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
