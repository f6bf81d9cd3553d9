import type { LogFilters } from "./filters";

// react-query keys of the log reads: the wallet's history, the log pages (per scope: a user's own
// or the admin's view of everyone's), their stats and charts, and the retention tasks.

export type LogViewScope = "self" | "admin";

export const logKeys = {
  all: ["logs"] as const,
  walletCredits: () => [...logKeys.all, "wallet-credits"] as const,
  scope: (scope: LogViewScope) => [...logKeys.all, scope] as const,
  page: (scope: LogViewScope, filters: LogFilters, cursor: { after?: string; before?: string }) =>
    [...logKeys.scope(scope), "page", filters, cursor] as const,
  stats: (scope: LogViewScope, filters: LogFilters) => [...logKeys.scope(scope), "stats", filters] as const,
  chart: (scope: LogViewScope, filters: LogFilters, timeZone: string) =>
    [...logKeys.scope(scope), "chart", filters, timeZone] as const,
  cleanups: () => [...logKeys.all, "cleanups"] as const,
};
