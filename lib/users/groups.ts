import type { Options } from "@/lib/options/schemas";

/** Groups a user may pick for a key (as new-api): UserUsableGroups plus the user's own group. */
export function usableGroups(o: Pick<Options, "UserUsableGroups">, userGroup: string): Record<string, string> {
  const out = { ...o.UserUsableGroups };
  if (!(userGroup in out)) out[userGroup] = "User group";
  return out;
}
