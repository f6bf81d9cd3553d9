import { z } from "zod";

// The contract between the CLI dispatcher (scripts/cli/index.ts) and the domain modules
// (scripts/cli/<domain>.ts). A module exports a map of command name -> Command; the dispatcher
// parses `--flag value` pairs into an object of strings (kebab-case names become camelCase,
// a flag without a value is `true`), validates it with `flags` (unknown flags are refused),
// calls `run` and prints its result as JSON.

export type RawFlags = Record<string, string | true>;

export type Command<S extends z.ZodType = z.ZodType> = {
  /** one line for the command list */
  summary: string;
  /** the flags, as shown after the command name: "--username U [--role user|admin|root]" */
  usage: string;
  /** validates the parsed flags; use z.object({...}) (made strict by the dispatcher) */
  flags: S;
  /** false for commands that never touch the database (help) */
  needsDatabase?: boolean;
  /** the result is printed as JSON (bigint as strings); throw AppError for expected failures */
  run(flags: z.output<S>): Promise<unknown>;
};

export type CommandMap = Record<string, Command<z.ZodType>>;

/** Keeps the flag types of one command; `satisfies CommandMap` on the module's map checks the rest. */
export function defineCommand<S extends z.ZodType>(command: Command<S>): Command<z.ZodType> {
  return command as unknown as Command<z.ZodType>;
}

// Flag value helpers: every value arrives as a string, or `true` for a bare `--flag`.
export const flag = {
  /** a non-empty string */
  string: (name: string) => z.string({ error: `--${name} needs a value` }).min(1, `--${name} needs a value`),
  /** a whole number given in digits (kept as a string; domain schemas convert it) */
  integer: (name: string) =>
    z.string({ error: `--${name} needs a value` }).regex(/^-?\d+$/, `--${name} must be a whole number`),
  /** `--x`, `--x true` or `--x false` */
  boolean: (name: string) =>
    z
      .union([z.literal(true), z.enum(["true", "false", "1", "0", "yes", "no"])], {
        error: `--${name} must be true or false`,
      })
      .transform((v) => v === true || v === "true" || v === "1" || v === "yes"),
  /** a string handed to a domain schema that accepts strings (ZQuotaAmount, ...): its messages are kept */
  via: <T>(name: string, schema: z.ZodType<T, unknown>) =>
    z.string({ error: `--${name} needs a value` }).transform((v, ctx): T => {
      const r = schema.safeParse(v);
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
      return z.NEVER;
    }),
};
