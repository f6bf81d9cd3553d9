import type { TAdminUserListInput } from "./schemas";

// react-query keys of the signed-in user's account figures (balance, used quota, invitation credit).
export const accountKeys = {
  all: ["account"] as const,
  summary: () => [...accountKeys.all, "summary"] as const,
};

// react-query keys of the admin console's users; a write invalidates `all` (lists, keys, the overview's counts)
export const adminUserKeys = {
  all: ["admin-users"] as const,
  list: (params: Omit<TAdminUserListInput, "after">) => [...adminUserKeys.all, "list", params] as const,
  keys: (userId: number) => [...adminUserKeys.all, "keys", userId] as const,
  formOptions: () => [...adminUserKeys.all, "form-options"] as const,
};
