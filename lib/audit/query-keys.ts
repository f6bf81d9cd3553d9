import type { TAuditListInput } from "./schemas";

// react-query keys of the admin audit trail.
export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: Omit<TAuditListInput, "cursor">) => [...auditKeys.all, "list", filters] as const,
};
