import { z } from "zod";
import { ZText } from "@/lib/text";
import { ZRegisterInput } from "@/lib/users/schemas";

/** what the sign-in form posts; bounds keep an attacker from making scrypt hash megabytes */
export const ZLoginInput = z.object({
  username: ZText.trim().min(1).max(64),
  password: z.string().min(1).max(128),
});
export type TLoginInput = z.infer<typeof ZLoginInput>;

/** the register form: the service's input plus a confirmation the service does not need */
export const ZRegisterForm = ZRegisterInput.extend({
  confirmPassword: z.string().max(128),
}).refine((v) => v.password === v.confirmPassword, {
  // a dictionary key: lib/i18n turns it into "The passwords do not match." in the user's language
  message: "error.password_mismatch",
  path: ["confirmPassword"],
});
export type TRegisterForm = z.input<typeof ZRegisterForm>;
