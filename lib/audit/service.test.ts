import { describe, expect, it } from "vitest";
import { auditValue, maskSecret } from "./service";

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
});
