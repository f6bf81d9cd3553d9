import "server-only";
import { rateLimiter } from "@/lib/cache/rate-limit";
import { AppError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { registerUser } from "./service";
import type { TRegisterInput } from "./schemas";

// Self-service sign-up from an address: the switch (RegisterEnabled), the per-IP limit, then the
// users service. Free of next/* so the integration tests call it; lib/users/actions.ts mounts it.

/**
 * Sign-ups per address and hour. Every attempt that reaches the service counts (a taken name too),
 * before the work is done, so a burst cannot slip past; a form refused by validation does not.
 */
const REGISTER_LIMIT = rateLimiter({ name: "register:ip", limit: 10, windowMs: 60 * 60_000 });

export async function registerFromIp(input: TRegisterInput, ip: string) {
  const { RegisterEnabled } = await getOptions();
  if (!RegisterEnabled) throw new AppError("registration_disabled", "Registration is closed", 403);
  const hit = await REGISTER_LIMIT.hit(ip);
  if (!hit.allowed) {
    const minutes = Math.max(1, Math.ceil(hit.resetMs / 60_000));
    throw new AppError(
      "register_rate_limited",
      `Too many sign-ups from this address, try again in ${minutes} minutes`,
      429,
    );
  }
  return registerUser(input);
}
