// react-query keys of the admin overview.
export const overviewKeys = {
  all: ["overview"] as const,
};
