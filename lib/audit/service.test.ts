import { describe, expect, it } from "vitest";
import { auditValue, isSecretName, maskSecret } from "./service";

describe("audit values", () => {
  it("masks secrets by name, at any depth, and keeps the rest", () => {
    expect(
      auditValue({
        name: "openai",
        key: "sk-abcdefghijklmnop1234",
        settings: { webhook_secret: "whsec-0123456789", gotify_token: "tok", email: "a@b.c" },
        quota: 10n,
      }),
    ).toEqual({
      name: "openai",
      key: "sk-…1234",
      settings: { webhook_secret: "whs…6789", gotify_token: "••••", email: "a@b.c" },
      quota: "10",
    });
    expect(auditValue({ monkey: "banana", keyword: "x" })).toEqual({ monkey: "banana", keyword: "x" });
    expect(maskSecret("short")).toBe("••••");
  });

  it.each([
    "SMTPPassword",
    "WebhookSecret",
    "TurnstileSecretKey",
    "SMTPToken",
    "GitHubClientSecret",
    "StripeApiSecret",
    "EpayKey",
    "APIKey",
    "apiKey",
    "apikey",
    "api_key",
    "x-api-key",
    "gotify_token",
    "webhook_secret",
    "password_hash",
    "PasswordHash",
    "SecretAccessId",
    "credentials",
    "Authorization",
    "DATABASE_URL",
    "key",
  ])("%s is a secret name", (name) => {
    expect(isSecretName(name)).toBe(true);
    expect(auditValue({ [name]: "value-of-the-secret-0123" })).toEqual({ [name]: "val…0123" });
  });

  it.each([
    "TrustQuota",
    "QuotaPerUnit",
    "ChannelPrivateAddressesAllowed",
    "ModelRatio",
    "MaxUserTokens",
    "DisplayTokenStatEnabled",
    "prompt_tokens",
    "keyword",
    "monkey",
    "Turkey",
    "KeyCount",
    "tokenId",
    "NotifyEmailFrom",
    "ServerAddress",
    "UserUsableGroups",
    "",
  ])("%s is not a secret name", (name) => {
    expect(isSecretName(name)).toBe(false);
    expect(auditValue({ [name]: "plain-value-0123" })).toEqual({ [name]: "plain-value-0123" });
  });
});
