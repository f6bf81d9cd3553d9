import { env } from "@/lib/env";

/** when NEXTAUTH_URL is unset (a bare `next dev`); `npm start` always sets it */
const DEV_ORIGIN = "http://localhost:3000";

/**
 * The portal's public origin as configured (NEXTAUTH_URL), never as a request claims it: Host and
 * X-Forwarded-Host are whatever the client or a proxy sent.
 */
export function configuredOrigin(): string {
  const url = env().NEXTAUTH_URL;
  return url ? new URL(url).origin : DEV_ORIGIN;
}
