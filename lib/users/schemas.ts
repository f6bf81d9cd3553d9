import { z } from "zod";
import { ZText } from "@/lib/text";

export const ROLE = { user: 1, admin: 10, root: 100 } as const;
export type RoleName = keyof typeof ROLE;
export const USER_STATUS = { enabled: 1, disabled: 2 } as const;

const ZUsername = z
  .string()
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(20, "Username must be at most 20 characters")
  .regex(/^[A-Za-z0-9_.-]+$/, "Username may contain letters, digits, '_', '.' and '-' only");

const ZPassword = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .max(64, "Password must be at most 64 characters");

const ZGroupName = z
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

/** the settings page's password form: the service's input plus a confirmation of the new password */
export const ZChangePasswordForm = ZChangePasswordInput.extend({
  confirmPassword: z.string().max(128),
}).refine((v) => v.newPassword === v.confirmPassword, {
  message: "error.password_mismatch",
  path: ["confirmPassword"],
});
export type TChangePasswordForm = z.input<typeof ZChangePasswordForm>;

/** the register form: the service's input plus a confirmation the service does not need */
export const ZRegisterForm = ZRegisterInput.extend({
  confirmPassword: z.string().max(128),
}).refine((v) => v.password === v.confirmPassword, {
  // a dictionary key: lib/i18n turns it into "The passwords do not match." in the user's language
  message: "error.password_mismatch",
  path: ["confirmPassword"],
});

// ---- the admin console's user forms (strict: an unknown field is an error)

const ROLE_NAMES = ["user", "admin", "root"] as const;
export const roleName = (role: number): RoleName =>
  role >= ROLE.root ? "root" : role >= ROLE.admin ? "admin" : "user";

/** a user id: a positive 32-bit integer, as a number or digits */
export const ZUserId = z.coerce.number().int().positive().max(2_147_483_647);

/** stored lower-case; "" = none. Unique ignoring case, checked by the service */
const ZEmail = ZText.trim()
  .max(254)
  .toLowerCase()
  .refine((v) => v === "" || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
    message: "Not a valid email address",
    params: { i18n: "adminUsers.error.email" },
  });

const ZRemark = ZText.trim().max(255);
const ZDisplayName = ZText.trim().max(64);

export const ZAdminCreateUserInput = z.strictObject({
  username: ZUsername,
  password: ZPassword,
  /** "" or absent: the username */
  displayName: ZDisplayName.optional(),
  email: ZEmail.default(""),
  role: z.enum(ROLE_NAMES).default("user"),
  group: ZGroupName.default("default"),
  remark: ZRemark.default(""),
});
export type TAdminCreateUserInput = z.input<typeof ZAdminCreateUserInput>;

/** an edit: a field left out stays as it is */
export const ZAdminUpdateUserInput = z.strictObject({
  id: ZUserId,
  displayName: ZDisplayName.optional(),
  email: ZEmail.optional(),
  group: ZGroupName.optional(),
  role: z.enum(ROLE_NAMES).optional(),
  status: z.enum(["enabled", "disabled"]).optional(),
  remark: ZRemark.optional(),
});
export type TAdminUpdateUserInput = z.input<typeof ZAdminUpdateUserInput>;

export const USER_SORTS = ["id", "quota", "usedQuota", "lastLogin"] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** the users list: search (id, username, display name or email), sort, keyset position */
export const ZAdminUserListInput = z.strictObject({
  q: ZText.trim().max(100).default(""),
  sort: z.enum(USER_SORTS).default("id"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  /** the last row shown: "<sort value>~<id>" (next page) */
  after: ZText.max(80).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type TAdminUserListInput = z.input<typeof ZAdminUserListInput>;
