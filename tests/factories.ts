import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { createUser } from "@/lib/users/service";
import { adjustUserQuota } from "@/lib/quota/credits";
import { createKeys } from "@/lib/keys/service";
import type { TCreateKeyInput } from "@/lib/keys/schemas";

// Seeds for integration tests. Balances are created through the billing module (a manage log),
// so the ledger audit holds from the first row.

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${(seq++).toString(36)}`;

export async function makeUser(
  opts: { quota?: bigint; group?: string; role?: "user" | "admin" | "root"; username?: string } = {},
) {
  const user = await createUser({
    username: opts.username ?? uniqueName("u"),
    password: "password123",
    role: opts.role ?? "user",
    group: opts.group ?? "default",
  });
  if (opts.quota && opts.quota > 0n) {
    await adjustUserQuota({ id: null, username: "test" }, { userId: user.id, mode: "add", amount: opts.quota });
  }
  return user;
}

export async function makeKey(userId: number, input: Partial<TCreateKeyInput> = {}) {
  const [key] = await createKeys(userId, { name: "test key", unlimitedQuota: true, ...input });
  return key;
}

export const requestId = () => randomUUID().replace(/-/g, "");

export async function balances(userId: number, tokenId: number) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const token = await db.token.findUniqueOrThrow({ where: { id: tokenId } });
  return {
    quota: user.quota,
    usedQuota: user.usedQuota,
    requestCount: user.requestCount,
    remain: token.remainQuota,
    keyUsed: token.usedQuota,
  };
}
