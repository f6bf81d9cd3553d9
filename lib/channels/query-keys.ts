// react-query keys of the channels domain; a mutation invalidates exactly the keys it changed.
export const channelKeys = {
  all: ["channels"] as const,
  adminList: () => [...channelKeys.all, "admin-list"] as const,
};
