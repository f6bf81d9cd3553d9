// Where to go after signing in (?next= on /login, next-auth's callbackUrl). Only a place on this
// site may be named: the value is resolved against the origin the way a browser would (tabs and
// newlines dropped, "\" read as "/", dot segments applied) and kept only when the result has the
// same origin. Prefix checks on the raw text miss "/\t/evil.example", which a browser reads as
// "//evil.example". Shared by the server and the login form.

export const DEFAULT_NEXT_PATH = "/dashboard";
const MAX_LENGTH = 2048;

/** `next` as a same-origin path ("/keys?x=1#y"), or `fallback` when it names another site or is not a URL */
export function safeNextPath(
  next: string | null | undefined,
  origin: string,
  fallback: string = DEFAULT_NEXT_PATH,
): string {
  if (typeof next !== "string" || next === "" || next.length > MAX_LENGTH) return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(next, base.origin);
  } catch {
    return fallback;
  }
  if (url.origin === "null" || url.origin !== base.origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser given that path
  // alone would read as another host
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  return path;
}
