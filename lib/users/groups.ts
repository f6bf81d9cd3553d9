import type { Options } from "@/lib/options/schemas";

/** Groups a user may pick for a key (as new-api): UserUsableGroups plus the user's own group. */
export function usableGroups(o: Pick<Options, "UserUsableGroups">, userGroup: string): Record<string, string> {
  const out = { ...o.UserUsableGroups };
  if (!(userGroup in out)) out[userGroup] = "User group";
  return out;
}

/** the groups an admin may put a user in: those users may pick (UserUsableGroups) and those with a ratio */
export function knownGroups(o: Pick<Options, "UserUsableGroups" | "GroupRatio">): string[] {
  return [...new Set([...Object.keys(o.UserUsableGroups), ...Object.keys(o.GroupRatio)])].sort();
}
