import "server-only";
import { pgPool } from "@/lib/db";

// The hot-path statements of the billing core go straight to the pool (Prisma adds ~0.8 ms per
// raw query here). node-postgres returns int8 as text: `big` turns it back into a bigint.

export async function callBilling(text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const res = await pgPool().query(
    text,
    params.map((p) => (typeof p === "bigint" ? p.toString() : p)),
  );
  return res.rows;
}

export const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string));
