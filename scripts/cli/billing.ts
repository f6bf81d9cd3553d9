import "server-only";
import { z } from "zod";
import { auditQuotaChange, CLI_OPERATOR } from "@/lib/audit/service";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createKeys } from "@/lib/keys/service";
import { auditLedger } from "@/lib/quota/audit";
import { adjustUserQuota } from "@/lib/quota/credits";
import { ZQuotaAmount } from "@/lib/quota/schemas";
import { sweepExpiredReservations } from "@/lib/quota/sweeper";
import { listLogCleanups, runLogCleanups, startLogCleanup } from "@/lib/logs/retention";
import { createServiceKey, listServiceKeys, revokeServiceKey } from "@/lib/settlement/service-keys";
import { defineCommand, flag, type CommandMap } from "./command";

async function userIdOf(username: string): Promise<number> {
  const user = await db.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new AppError("user_not_found", `No user named "${username}"`, 404);
  return user.id;
}

export const billingCommands = {
  "user:quota": defineCommand({
    summary:
      'add to, subtract from or set a wallet, with a reason (manage log on the user and audit row, operator "cli")',
    usage: "--username U (--add N | --subtract N | --set N) --reason TEXT",
    flags: z
      .object({
        username: flag.string("username"),
        add: flag.via("add", ZQuotaAmount).optional(),
        subtract: flag.via("subtract", ZQuotaAmount).optional(),
        set: flag.via("set", ZQuotaAmount).optional(),
        reason: flag.string("reason"),
      })
      .refine((f) => [f.add, f.subtract, f.set].filter((v) => v !== undefined).length === 1, {
        message: "give exactly one of --add, --subtract or --set",
      }),
    async run({ username, add, subtract, set, reason }) {
      const userId = await userIdOf(username);
      const [mode, amount] =
        add !== undefined
          ? (["add", add] as const)
          : subtract !== undefined
            ? (["subtract", subtract] as const)
            : (["set", set!] as const);
      const r = await adjustUserQuota(
        CLI_OPERATOR,
        { userId, mode, amount, reason },
        { inTransaction: auditQuotaChange(CLI_OPERATOR) },
      );
      return { username, ...r };
    },
  }),

  "key:create": defineCommand({
    summary: "create an API key for a user; prints the full key once",
    usage:
      "--username U --name N [--remain N | --unlimited] [--models a,b] [--ips LIST] [--expires ISO8601] [--group G]",
    flags: z
      .object({
        username: flag.string("username"),
        name: flag.string("name"),
        remain: flag.via("remain", ZQuotaAmount).optional(),
        unlimited: flag.boolean("unlimited").optional(),
        models: flag.string("models").optional(),
        ips: flag.string("ips").optional(),
        expires: flag.string("expires").optional(),
        group: flag.string("group").optional(),
      })
      .refine((f) => !(f.unlimited && f.remain !== undefined), { message: "give --remain or --unlimited, not both" }),
    async run({ username, name, remain, unlimited, models, ips, expires, group }) {
      let expiredTime = -1;
      if (expires !== undefined) {
        const ms = Date.parse(expires);
        if (!/^\d{4}-\d\d-\d\d/.test(expires) || Number.isNaN(ms))
          throw new AppError("validation", "--expires must be an ISO 8601 date", 400);
        expiredTime = Math.floor(ms / 1000);
      }
      const userId = await userIdOf(username);
      const [key] = await createKeys(userId, {
        name,
        unlimitedQuota: unlimited ?? remain === undefined,
        remainQuota: remain ?? 0n,
        modelLimits: models ?? [],
        allowIps: ips ?? "",
        expiredTime,
        group: group ?? "",
      });
      return { ...key, username, note: "the full key is shown only this once" };
    },
  }),

  "logs:cleanup": defineCommand({
    summary: "delete the logs older than a date, in batches, here and now (the audit stays clean: see docs/logs.md)",
    usage: "--before ISO8601",
    flags: z.object({
      before: flag
        .string("before")
        .pipe(z.iso.datetime({ offset: true, message: "--before must be an ISO 8601 date" })),
    }),
    async run({ before }) {
      // the CLI operator: created_by 0 and "cli" in the audit trail (the console names its admin)
      const job = await startLogCleanup(new Date(before), CLI_OPERATOR);
      const deleted = await runLogCleanups();
      const cleanup = (await listLogCleanups()).find((c) => c.id === job.id);
      return { deleted: String(deleted), cleanup };
    },
  }),
  "ledger:audit": defineCommand({
    summary: "recompute every balance from the logs and open holds; exits non-zero on any difference",
    usage: "",
    flags: z.object({}),
    async run() {
      const r = await auditLedger();
      if (r.differences.length) {
        process.stdout.write(`${JSON.stringify({ ok: false, ...r }, null, 2)}\n`);
        throw new AppError("ledger_mismatch", `${r.differences.length} balance(s) differ from the ledger`, 1);
      }
      return { ok: true, ...r };
    },
  }),

  "reservation:sweep": defineCommand({
    summary: "close expired reservations now (the app also does this every 30 s)",
    usage: "",
    flags: z.object({}),
    async run() {
      return { swept: await sweepExpiredReservations() };
    },
  }),

  "service-key:create": defineCommand({
    summary: "create a settlement API credential; prints the secret once",
    usage: "--name N",
    flags: z.object({ name: flag.string("name") }),
    async run({ name }) {
      return { ...(await createServiceKey(name)), note: "the secret is shown only this once" };
    },
  }),

  "service-key:list": defineCommand({
    summary: "list settlement API credentials (never their secrets)",
    usage: "",
    flags: z.object({}),
    async run() {
      return listServiceKeys();
    },
  }),

  "service-key:revoke": defineCommand({
    summary: "revoke a settlement API credential",
    usage: "--id N",
    flags: z.object({ id: flag.integer("id") }),
    async run({ id }) {
      return revokeServiceKey(Number(id));
    },
  }),
} satisfies CommandMap;
