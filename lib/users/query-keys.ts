// react-query keys of the signed-in user's account figures (balance, used quota, invitation credit).
export const accountKeys = {
  all: ["account"] as const,
  summary: () => [...accountKeys.all, "summary"] as const,
};
