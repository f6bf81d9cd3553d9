// react-query keys of the admin audit trail.
export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: Record<string, string>) => [...auditKeys.all, "list", filters] as const,
};
