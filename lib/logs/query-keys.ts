// react-query keys of the log reads (the wallet's history; the logs page adds its own here).
export const logKeys = {
  all: ["logs"] as const,
  walletCredits: () => [...logKeys.all, "wallet-credits"] as const,
};
