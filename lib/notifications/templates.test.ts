import { describe, expect, it } from "vitest";
import { gotifyPriority } from "./schemas";
import { fillPlaceholders, renderNotification } from "./templates";

const display = { type: "USD", quotaPerUnit: 500_000, usdExchangeRate: 7.3 } as const;

describe("notification texts", () => {
  it("fills {{value}} in order, never printf-style (new-api's webhook bug)", () => {
    expect(fillPlaceholders("{{value}}, {{value}}: {{value}}", ["a", "b", "c"])).toBe("a, b: c");
    expect(fillPlaceholders("{{value}} %s %d {{value}}", ["x"])).toBe("x %s %d ");
  });

  it.each([
    ["en", "Your balance is running low", "your balance is $0.80, below your alert threshold of $1.00"],
    ["zh", "您的额度即将用尽", "当前剩余额度为 $0.80，低于提醒阈值 $1.00"],
  ] as const)("quota_exceed in %s, with the balance in the display unit and the top-up link", (lang, title, part) => {
    const r = renderNotification({
      kind: "quota_exceed",
      payload: { balance: "400000", threshold: "500000" },
      lang,
      display,
      origin: "https://relay.example",
    });
    expect(r.title).toBe(title);
    expect(r.content).toContain(part);
    expect(r.content).toContain("https://relay.example/wallet");
    expect(r.content).not.toContain("{{");
    expect(r.html).toContain("<a href='https://relay.example/wallet'>https://relay.example/wallet</a>");
    expect(r.values).toEqual([title, "$0.80", "$1.00", "https://relay.example/wallet"]);
  });

  it.each([
    [
      "en",
      "Unusual spending on your account",
      "you spent $3.00 in the last hour, more than your limit of $2.00. Your balance is $0.80; top up: https://relay.example/wallet",
      "If a script is running away, disable its key: https://relay.example/keys",
    ],
    [
      "zh",
      "您的账户消费异常",
      "最近一小时消费 $3.00，超过您设置的上限 $2.00。当前余额 $0.80，充值链接：https://relay.example/wallet",
      "如有脚本失控，请停用其密钥：https://relay.example/keys",
    ],
  ] as const)("spend_rate in %s, with the top-up link and the keys link", (lang, title, part, keys) => {
    const r = renderNotification({
      kind: "spend_rate",
      payload: { spent: "1500000", limit: "1000000", balance: "400000" },
      lang,
      display,
      origin: "https://relay.example",
    });
    expect(r.title).toBe(title);
    expect(r.content).toBe(`${title}${lang === "en" ? ": " : "："}${part}${lang === "en" ? ". " : "。"}${keys}`);
    expect(r.html).toContain("<a href='https://relay.example/wallet'>https://relay.example/wallet</a>");
    expect(r.html).toContain("<a href='https://relay.example/keys'>https://relay.example/keys</a>");
    expect(r.html).not.toContain("{{");
    expect(r.values).toEqual([
      title,
      "$3.00",
      "$2.00",
      "$0.80",
      "https://relay.example/wallet",
      "https://relay.example/keys",
    ]);
  });

  it("spend_rate in yuan when the display unit is CNY", () => {
    const r = renderNotification({
      kind: "spend_rate",
      payload: { spent: "1500000", limit: "1000000", balance: "400000" },
      lang: "zh",
      display: { ...display, type: "CNY" },
      origin: "https://relay.example",
    });
    expect(r.content).toContain("最近一小时消费 ¥21.90，超过您设置的上限 ¥14.60。当前余额 ¥5.84");
  });

  it("escapes values in the HTML part", () => {
    const r = renderNotification({
      kind: "test",
      payload: { balance: "1" },
      lang: "en",
      display,
      origin: "https://x.example/?a=<b>&c='d'",
    });
    expect(r.html).not.toContain("<b>");
    expect(r.html).toContain("&lt;b&gt;&amp;c=&#39;d&#39;");
  });

  it.each([
    [0, 0],
    [10, 10],
    [7, 7],
    [11, 5],
    [-1, 5],
    [2.5, 5],
    ["8", 8],
    [undefined, 5],
  ])("Gotify priority %s -> %s", (v, want) => expect(gotifyPriority(v)).toBe(want));
});
