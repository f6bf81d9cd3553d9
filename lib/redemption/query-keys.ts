// react-query keys of the redemption codes domain (the admin's list, by filter).
export const redemptionKeys = {
  all: ["redemptions"] as const,
  list: (filter: { state: string | null; name: string | null }) => [...redemptionKeys.all, "list", filter] as const,
};
