import { createHash } from "node:crypto";
import { randomAlphanumeric } from "@/lib/random";

// API keys: "sk-" + 48 characters of [0-9A-Za-z] from the CSPRNG. Only SHA-256 of the 48
// characters is stored, with the first 4 and last 4 for display.

const KEY_BODY_LENGTH = 48;

export function generateApiKey(): string {
  return `sk-${randomAlphanumeric(KEY_BODY_LENGTH)}`;
}

/** strips "sk-"; returns null when what is left is not a well-formed key body */
export function keyBody(key: string): string | null {
  const body = key.startsWith("sk-") ? key.slice(3) : key;
  return /^[0-9A-Za-z]{48}$/.test(body) ? body : null;
}

export function hashKeyBody(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

export function keyParts(key: string): { hash: string; prefix: string; last4: string } {
  const body = keyBody(key);
  if (!body) throw new Error("malformed API key");
  return { hash: hashKeyBody(body), prefix: body.slice(0, 4), last4: body.slice(-4) };
}

/** new-api's mask: first 4 + 10 stars + last 4, shown with the sk- prefix */
export const maskKey = (prefix: string, last4: string) => `sk-${prefix}**********${last4}`;
