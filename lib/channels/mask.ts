/** A channel key as shown back to admins: never in full (first 4 and last 4 of long keys). */
export function maskChannelKey(key: string): string {
  if (key.length <= 4) return "*".repeat(key.length);
  if (key.length <= 12) return `${key.slice(0, 2)}****${key.slice(-2)}`;
  return `${key.slice(0, 4)}**********${key.slice(-4)}`;
}
