// The texts of the admin console's overview, users and audit pages, in English and Chinese.
// Spread into the dictionaries of ./messages.ts.
export const adminUsersEn = {
  "nav.admin.overview": "Overview",
  "nav.admin.audit": "Audit trail",

  "adminUsers.error.higherRole": "You cannot manage a user whose role is equal to or higher than yours.",
  "adminUsers.error.rootOnly": "Only root can give or take the admin role.",
  "adminUsers.error.ownRole": "You cannot change your own role.",
  "adminUsers.error.selfDisable": "You cannot disable your own account.",
  "adminUsers.error.lastRoot": "The last enabled root cannot be demoted or disabled.",
  "adminUsers.error.unknownGroup":
    "Unknown group “{group}”: add it to the group ratios or the user-usable groups first.",
  "adminUsers.error.emailTaken": "This email address is already used by another account.",
  "adminUsers.error.email": "Not a valid email address.",
  "adminUsers.error.notFound": "This user does not exist.",
  "adminUsers.error.quotaOutOfRange": "The balance would leave the allowed range (±{max}).",
  "adminUsers.error.amountTooLarge": "The amount may be at most {max}.",
  "adminUsers.error.amountZero": "The amount must be greater than 0.",
  "error.last_root": "The last enabled root cannot be demoted or disabled.",
  "error.user_not_found": "This user does not exist.",
  "error.quota_out_of_range": "The balance would leave the allowed range.",
} as const;

export const adminUsersZh: Record<keyof typeof adminUsersEn, string> = {
  "nav.admin.overview": "概览",
  "nav.admin.audit": "审计日志",

  "adminUsers.error.higherRole": "您不能管理角色等于或高于您的用户。",
  "adminUsers.error.rootOnly": "只有超级管理员可以授予或取消管理员角色。",
  "adminUsers.error.ownRole": "您不能修改自己的角色。",
  "adminUsers.error.selfDisable": "您不能禁用自己的账号。",
  "adminUsers.error.lastRoot": "不能降级或禁用最后一个启用的超级管理员。",
  "adminUsers.error.unknownGroup": "未知分组“{group}”：请先在分组倍率或用户可选分组中添加它。",
  "adminUsers.error.emailTaken": "该邮箱已被其他账号使用。",
  "adminUsers.error.email": "邮箱地址无效。",
  "adminUsers.error.notFound": "该用户不存在。",
  "adminUsers.error.quotaOutOfRange": "修改后的余额将超出允许范围（±{max}）。",
  "adminUsers.error.amountTooLarge": "金额最多为 {max}。",
  "adminUsers.error.amountZero": "金额必须大于 0。",
  "error.last_root": "不能降级或禁用最后一个启用的超级管理员。",
  "error.user_not_found": "该用户不存在。",
  "error.quota_out_of_range": "修改后的余额将超出允许范围。",
};
