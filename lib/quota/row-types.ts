// The numbers stored in the rows the billing module writes and reads, as new-api numbers them.

/** logs.type: the log rows are the ledger (docs/reservations.md) */
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

/** redemptions.status: a redeem claims an unused code (lib/quota/credits.ts), an admin disables one (lib/redemption) */
export const REDEMPTION_STATUS = {
  unused: 1,
  disabled: 2,
  used: 3,
} as const;
