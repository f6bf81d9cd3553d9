// Log rows are the ledger (lib/quota writes them; docs/reservations.md): their types, as new-api numbers them.
export const LOG_TYPE = {
  unknown: 0,
  topup: 1,
  consume: 2,
  manage: 3,
  system: 4,
  error: 5,
  refund: 6,
  login: 7,
} as const;
