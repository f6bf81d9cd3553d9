import { z } from "zod";
import { ZText } from "@/lib/text";

/** what the sign-in form posts; bounds keep an attacker from making scrypt hash megabytes */
export const ZLoginInput = z.object({
  username: ZText.trim().min(1).max(64),
  password: z.string().min(1).max(128),
});
