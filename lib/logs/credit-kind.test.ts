import { describe, expect, it } from "vitest";
import { creditKind } from "./credit-kind";

describe("creditKind", () => {
  it.each([
    [{ type: 1, affQuota: 0n, content: "", other: { kind: "redemption", redemption_id: 4 } }, "redemption"],
    [{ type: 4, affQuota: -500n, content: "", other: { kind: "aff_transfer" } }, "aff_transfer"],
    [{ type: 4, affQuota: 0n, content: "anything", other: { kind: "register_gift" } }, "register_gift"],
    // rows written before other.kind: by type and text
    [{ type: 1, affQuota: 0n, content: "Recharged $1 via redemption code", other: {} }, "redemption"],
    [{ type: 3, affQuota: 0n, content: "Administrator root added $1", other: {} }, "admin"],
    [{ type: 4, affQuota: -500_000n, content: "Transferred", other: {} }, "aff_transfer"],
    [{ type: 4, affQuota: 0n, content: "New user registration gift $0.20", other: {} }, "register_gift"],
    [{ type: 4, affQuota: 0n, content: "Invitation code gift $0.10", other: {} }, "invitee_gift"],
    [{ type: 4, affQuota: 0n, content: "something else", other: null }, "other"],
    [{ type: 4, affQuota: 0n, content: "", other: { kind: "made_up" } }, "other"],
  ])("case %# is %s", (row, kind) => {
    expect(creditKind(row)).toBe(kind);
  });
});
