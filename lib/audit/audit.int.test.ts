import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setOptions } from "@/lib/options/service";
import { ZAuditListInput } from "./schemas";
import { listAdminAudits, recordAdminAction } from "./service";

// The audit trail as stored and as the admin page reads it: secrets masked under any spelling of
// their name, and each filter of the page (operator, action or its start, target type, target id)
// with the keyset pages.

const ALICE = { id: 7, username: "alice" };
const BOB = { id: 8, username: "bob" };

describe("secrets in the trail", () => {
  it("stores an option whose name is a secret masked, before and after, in any case style", async () => {
    for (const name of ["SMTPPassword", "WebhookSecret", "TurnstileSecretKey", "smtp_password"]) {
      await db.$transaction((tx) =>
        recordAdminAction(tx, ALICE, {
          action: "option.update",
          targetType: "option",
          targetId: name,
          before: { [name]: "old-secret-value-1111" },
          after: { [name]: "new-secret-value-2222" },
        }),
      );
    }
    const rows = await db.adminAudit.findMany({ where: { action: "option.update" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.targetId, r.before, r.after])).toEqual([
      ["SMTPPassword", { SMTPPassword: "old…1111" }, { SMTPPassword: "new…2222" }],
      ["WebhookSecret", { WebhookSecret: "old…1111" }, { WebhookSecret: "new…2222" }],
      ["TurnstileSecretKey", { TurnstileSecretKey: "old…1111" }, { TurnstileSecretKey: "new…2222" }],
      ["smtp_password", { smtp_password: "old…1111" }, { smtp_password: "new…2222" }],
    ]);
    expect(JSON.stringify(rows.map((r) => [r.before, r.after]))).not.toContain("secret-value");
  });

  it("keeps the values of options that are not secrets, as setOptions records them", async () => {
    await setOptions({ TrustQuota: "123456", ChannelPrivateAddressesAllowed: "false" }, ALICE);
    const rows = await db.adminAudit.findMany({
      where: { targetId: { in: ["TrustQuota", "ChannelPrivateAddressesAllowed"] } },
      orderBy: { targetId: "asc" },
    });
    expect(rows.map((r) => r.after)).toEqual([{ ChannelPrivateAddressesAllowed: false }, { TrustQuota: 123456 }]);
  });
});

describe("listing and filtering the trail", () => {
  const ids = new Map<string, string>();

  beforeAll(async () => {
    await db.adminAudit.deleteMany();
    const entries = [
      [ALICE, "user.update", "user", 1],
      [ALICE, "user.quota_add", "user", 2],
      [BOB, "user.quota_add", "user", 1],
      [BOB, "channel.create", "channel", 1],
      [ALICE, "channel.delete", "channel", 12],
      [BOB, "option.update", "option", "ModelRatio"],
      [{ id: null, username: "cli" }, "redemption.create", "redemption", "batch"],
    ] as const;
    for (const [op, action, targetType, targetId] of entries) {
      await db.$transaction((tx) => recordAdminAction(tx, op, { action, targetType, targetId }));
    }
    for (const r of await db.adminAudit.findMany({ orderBy: { id: "asc" } }))
      ids.set(`${r.operator} ${r.action} ${r.targetType}:${r.targetId}`, r.id.toString());
    expect(ids.size).toBe(entries.length);
  });

  // through the page's input schema, as the action parses it
  const list = async (input: Record<string, unknown>, limit?: number) => {
    const { cursor, ...filters } = ZAuditListInput.parse(input);
    const page = await listAdminAudits(filters, { cursor: cursor ? BigInt(cursor) : null, limit });
    return {
      rows: page.items.map((r) => `${r.operator} ${r.action} ${r.targetType}:${r.targetId}`),
      next: page.nextCursor,
    };
  };

  it("lists every row newest first without filters (empty filters are none)", async () => {
    const { rows } = await list({ operator: "", action: " ", targetType: "", targetId: "" });
    expect(rows).toEqual([...ids.keys()].reverse());
  });

  it.each([
    [
      { operator: "alice" },
      ["alice channel.delete channel:12", "alice user.quota_add user:2", "alice user.update user:1"],
    ],
    [{ operator: "cli" }, ["cli redemption.create redemption:batch"]],
    [{ operator: "ali" }, []], // the operator is matched exactly
    [{ action: "user.quota_add" }, ["bob user.quota_add user:1", "alice user.quota_add user:2"]],
    [{ action: "user." }, ["bob user.quota_add user:1", "alice user.quota_add user:2", "alice user.update user:1"]],
    [{ targetType: "channel" }, ["alice channel.delete channel:12", "bob channel.create channel:1"]],
    [{ targetType: "option", targetId: "ModelRatio" }, ["bob option.update option:ModelRatio"]],
    [{ targetType: "user", targetId: "1" }, ["bob user.quota_add user:1", "alice user.update user:1"]],
    [{ targetId: "1" }, ["bob channel.create channel:1", "bob user.quota_add user:1", "alice user.update user:1"]],
    [{ operator: "bob", action: "user.", targetType: "user", targetId: "1" }, ["bob user.quota_add user:1"]],
    [{ operator: "alice", targetType: "option" }, []],
  ])("filters by %j", async (filters, expected) => {
    expect((await list(filters)).rows).toEqual(expected);
  });

  it("pages with the cursor, the filters kept", async () => {
    const first = await list({ action: "user." }, 2);
    expect(first.rows).toEqual(["bob user.quota_add user:1", "alice user.quota_add user:2"]);
    expect(first.next).toBe(ids.get("alice user.quota_add user:2"));
    const second = await list({ action: "user.", cursor: first.next }, 2);
    expect(second).toEqual({ rows: ["alice user.update user:1"], next: null });
  });

  it("refuses a target type the trail does not know", () => {
    expect(ZAuditListInput.safeParse({ targetType: "table" }).success).toBe(false);
    expect(ZAuditListInput.safeParse({ cursor: "1; drop" }).success).toBe(false);
  });
});
