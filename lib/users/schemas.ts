import { z } from "zod";
import { ZText } from "@/lib/text";

export const ROLE = { user: 1, admin: 10, root: 100 } as const;
export type RoleName = keyof typeof ROLE;
export const USER_STATUS = { enabled: 1, disabled: 2 } as const;

export const ZUsername = z
  .string()
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(20, "Username must be at most 20 characters")
  .regex(/^[A-Za-z0-9_.-]+$/, "Username may contain letters, digits, '_', '.' and '-' only");

export const ZPassword = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .max(64, "Password must be at most 64 characters");

export const ZGroupName = z
  .string()
  .trim()
  .min(1, "Group is required")
  .max(64, "Group must be at most 64 characters")
  .regex(/^[A-Za-z0-9_.-]+$/, "Group may contain letters, digits, '_', '.' and '-' only");

export const ZRegisterInput = z.object({
  username: ZUsername,
  password: ZPassword,
  /** inviter's aff code; an unknown code is ignored, as new-api does */
  affCode: ZText.trim().max(32).optional().or(z.literal("")),
});
export type TRegisterInput = z.infer<typeof ZRegisterInput>;

export const ZCreateUserInput = z.object({
  username: ZUsername,
  password: ZPassword,
  role: z.enum(["user", "admin", "root"]).default("user"),
  group: ZGroupName.default("default"),
  displayName: ZText.trim().max(64).optional(),
});
export type TCreateUserInput = z.input<typeof ZCreateUserInput>;

export const ZChangePasswordInput = z.object({
  currentPassword: z.string().min(1, "Current password is required").max(128),
  newPassword: ZPassword,
});
export type TChangePasswordInput = z.input<typeof ZChangePasswordInput>;

/** the register form: the service's input plus a confirmation the service does not need */
export const ZRegisterForm = ZRegisterInput.extend({
  confirmPassword: z.string().max(128),
}).refine((v) => v.password === v.confirmPassword, {
  // a dictionary key: lib/i18n turns it into "The passwords do not match." in the user's language
  message: "error.password_mismatch",
  path: ["confirmPassword"],
});
export type TRegisterForm = z.input<typeof ZRegisterForm>;
