import "server-only";
import { z } from "zod";
import { auditQuotaChange, CLI_OPERATOR } from "@/lib/audit/service";
import { db } from "@/lib/db";
import { adjustUserQuota } from "@/lib/quota/credits";
import { ZQuotaAmount } from "@/lib/quota/schemas";
import { ensureRootAccount } from "@/lib/users/bootstrap";
import { createUser } from "@/lib/users/service";
import { defineCommand, flag, type CommandMap } from "./command";

export const userCommands = {
  "user:create": defineCommand({
    summary: "create a user (no registration gifts); --quota adds an opening balance with a manage log",
    usage: "--username U --password P [--role user|admin|root] [--group G] [--quota N]",
    flags: z.object({
      username: flag.string("username"),
      password: flag.string("password"),
      role: z.enum(["user", "admin", "root"]).optional(),
      group: flag.string("group").optional(),
      // checked before the user is created, so a bad amount creates nothing
      quota: flag.via("quota", ZQuotaAmount).optional(),
    }),
    async run({ username, password, role, group, quota }) {
      const user = await createUser({ username, password, role, group });
      let balance = 0n;
      if (quota !== undefined && quota > 0n) {
        const r = await adjustUserQuota(
          CLI_OPERATOR,
          {
            userId: user.id,
            mode: "add",
            amount: quota,
            reason: "opening balance (user:create)",
          },
          { inTransaction: auditQuotaChange(CLI_OPERATOR) },
        );
        balance = r.to;
      }
      return { ...user, quota: balance };
    },
  }),

  "root:ensure": defineCommand({
    summary: "make sure a root account exists (TOLLGATE_ROOT_USERNAME / TOLLGATE_ROOT_PASSWORD); npm start runs it",
    usage: "",
    flags: z.object({}),
    async run() {
      const root = await ensureRootAccount();
      const user = await db.user.findUniqueOrThrow({ where: { id: root.userId }, select: { role: true } });
      return { ...root, role: user.role };
    },
  }),
} satisfies CommandMap;
