import type { Options } from "@/lib/options/schemas";

/** Groups a user may pick for a key (reference §6.5): UserUsableGroups plus the user's own group. */
export function usableGroups(o: Pick<Options, "UserUsableGroups">, userGroup: string): Record<string, string> {
  const out = { ...o.UserUsableGroups };
  if (!(userGroup in out)) out[userGroup] = "User group";
  return out;
}

/**
 * The price multiplier of a request billed in `usingGroup` for a user of `userGroup`:
 * GroupGroupRatio[userGroup][usingGroup] if set, else GroupRatio[usingGroup], else 1.
 */
export function groupRatioOf(o: Pick<Options, "GroupRatio" | "GroupGroupRatio">, userGroup: string, usingGroup: string) {
  const special = o.GroupGroupRatio[userGroup]?.[usingGroup];
  if (special !== undefined) return { groupRatio: special, userGroupRatio: special };
  return { groupRatio: o.GroupRatio[usingGroup] ?? 1, userGroupRatio: -1 };
}
