import { randomBytes } from "node:crypto";

/**
 * A request id: 12 hex digits of the millisecond clock then 20 random hex digits (32 in all), so
 * ids sort by time in the logs and never collide in practice. It is the X-Request-Id of the
 * response and the request_id of the reservation and of the consume log.
 */
export function newRequestId(): string {
  return Date.now().toString(16).padStart(12, "0") + randomBytes(10).toString("hex");
}
