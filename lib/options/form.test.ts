import { describe, expect, it } from "vitest";
import { SETTINGS_SECTIONS } from "./form";
import { isEmailSender, parseOptionValue } from "./schemas";

describe("NotifyEmailFrom, the sender of alert e-mails", () => {
  it("is a field of the admin settings page", () => {
    expect(SETTINGS_SECTIONS.display).toContain("NotifyEmailFrom");
  });

  it.each([
    ["", true],
    ["alerts@example.com", true],
    ["Tollgate Alerts <alerts@example.com>", true],
    ["  alerts@mail.example.org  ", true],
    ["alerts@", false],
    ["alerts@localhost", false],
    ["@example.com", false],
    ["not an address", false],
    ["<alerts@example.com>", false],
    ["Name <alerts@>", false],
    ["Name alerts@example.com>", false],
    ["Name <alerts@example.com", false],
    ["a@example.com, b@example.com", false],
    ["Evil\r\nBcc: x@example.com <alerts@example.com>", false],
  ])("%j -> valid %s", (text, ok) => {
    const r = parseOptionValue("NotifyEmailFrom", text);
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(ok);
    if (!ok) expect(r.error!.issues[0].message).toBe('must be an e-mail address or "Name <address>"');
    else expect(r.data).toBe(text.trim());
  });

  it("isEmailSender needs a name before <address>", () => {
    expect(isEmailSender("Alerts <a@b.example>")).toBe(true);
    expect(isEmailSender(" <a@b.example>")).toBe(false);
  });
});
