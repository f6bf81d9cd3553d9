import { afterEach, expect } from "vitest";
import { auditLedger } from "@/lib/quota/audit";

/**
 * Registers an afterEach that runs the ledger audit (what `npm run ledger:audit` checks) and fails
 * the test when any balance differs from its logs and open holds. Call it at the top level of every
 * money-path test file: each test must leave the ledger clean, so seeds go through the billing
 * module (tests/factories.ts), never a raw balance update.
 */
export function auditLedgerAfterEach(): void {
  afterEach(async (ctx) => {
    const { differences } = await auditLedger();
    expect(differences, `ledger audit after "${ctx.task.name}"`).toEqual([]);
  });
}
