import { z } from "zod";

// Client text that may reach PostgreSQL. Its text types cannot hold U+0000: a NUL in a stored value
// or in a lookup fails the query (22021 "invalid byte sequence"), which was a 500. Such text is
// refused where it enters, with a 400 that says why: ZText in the zod schemas, hasNul elsewhere.

export const NUL_MESSAGE = "must not contain NUL (U+0000) characters";

export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/** z.string() without NUL characters; .trim(), .min(), .max() chain as on any string */
export const ZText = z.string().refine((s) => !hasNul(s), { message: NUL_MESSAGE, params: { i18n: "error.nul" } });
