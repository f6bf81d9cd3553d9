// react-query keys of the notification settings; a mutation invalidates exactly the keys it changed.
export const notifyKeys = {
  all: ["notifications"] as const,
  settings: () => [...notifyKeys.all, "settings"] as const,
  history: () => [...notifyKeys.all, "history"] as const,
};
