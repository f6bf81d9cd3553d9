// The kind of a credit to a wallet, from the log row the billing module wrote (lib/quota/credits):
// `other.kind` names it; rows written before that field existed are recognised by type and text.

const CREDIT_KINDS = ["redemption", "aff_transfer", "admin", "register_gift", "invitee_gift", "other"] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

export function creditKind(row: { type: number; affQuota: bigint; content: string; other: unknown }): CreditKind {
  const other = row.other && typeof row.other === "object" ? (row.other as Record<string, unknown>) : {};
  if (typeof other.kind === "string" && (CREDIT_KINDS as readonly string[]).includes(other.kind))
    return other.kind as CreditKind;
  if (row.type === 1) return "redemption";
  if (row.type === 3) return "admin";
  if (row.type === 4) {
    if (row.affQuota < 0n) return "aff_transfer";
    if (row.content.startsWith("New user registration gift")) return "register_gift";
    if (row.content.startsWith("Invitation code gift")) return "invitee_gift";
  }
  return "other";
}
