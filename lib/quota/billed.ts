import "server-only";
import { reserve, type ReserveInput, type Reservation } from "./reserve";
import { settle, type SettleInput, type Settlement } from "./settle";
import { refundQuietly } from "./refund";

/**
 * Reserve → work → settle, with the refund guaranteed: whatever `work` throws (an error, an
 * exception, an abort), the hold is returned before the error propagates (new-api #4429 lost it).
 * `work` returns what settle needs besides the reservation id.
 */
export async function billed<T extends Omit<SettleInput, "reservationId">>(
  input: ReserveInput,
  work: (reservation: Reservation) => Promise<T>,
): Promise<{ reservation: Reservation; settlement: Settlement; result: T }> {
  const reservation = await reserve(input);
  let result: T;
  try {
    result = await work(reservation);
  } catch (e) {
    await refundQuietly(reservation.reservationId, e instanceof Error ? e.message : "exception");
    throw e;
  }
  const settlement = await settle({ ...result, reservationId: reservation.reservationId });
  return { reservation, settlement, result };
}
