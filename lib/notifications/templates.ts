import type { QuotaDisplay } from "@/lib/quota/money";
import { formatQuota } from "@/lib/quota/money";
import type { NotificationKind } from "./schemas";

// The texts of each notification, in the user's language (zh or en). new-api's shape: a title, a
// content with {{value}} placeholders and the values that fill them, in order. Unlike new-api's
// webhook, which sends the template unfilled, every channel gets the content with the placeholders
// FILLED; the values are sent beside it (webhook) so receivers can use them raw.

export type Lang = "en" | "zh";

export type Rendered = {
  title: string;
  /** placeholders filled, plain text (webhook, Bark, Gotify, the e-mail's text part) */
  content: string;
  /** placeholders filled with HTML-escaped values, links as <a> (the e-mail's HTML part) */
  html: string;
  /** the values, in placeholder order */
  values: string[];
};

type Template = { title: string; text: string; html: string };

const TEMPLATES: Record<NotificationKind, Record<Lang, Template>> = {
  quota_exceed: {
    en: {
      title: "Your balance is running low",
      text: "{{value}}: your balance is {{value}}, below your alert threshold of {{value}}. Top up to keep your requests running: {{value}}",
      html: "{{value}}: your balance is {{value}}, below your alert threshold of {{value}}. Top up to keep your requests running.<br/>Top-up link: <a href='{{value}}'>{{value}}</a>",
    },
    zh: {
      title: "您的额度即将用尽",
      text: "{{value}}，当前剩余额度为 {{value}}，低于提醒阈值 {{value}}，为了不影响您的使用，请及时充值。充值链接：{{value}}",
      html: "{{value}}，当前剩余额度为 {{value}}，低于提醒阈值 {{value}}，为了不影响您的使用，请及时充值。<br/>充值链接：<a href='{{value}}'>{{value}}</a>",
    },
  },
  spend_rate: {
    en: {
      title: "Unusual spending on your account",
      text: "{{value}}: you spent {{value}} in the last hour, more than your limit of {{value}}. Your balance is {{value}}; top up: {{value}}. If a script is running away, disable its key: {{value}}",
      html: "{{value}}: you spent {{value}} in the last hour, more than your limit of {{value}}. Your balance is {{value}}.<br/>Top-up link: <a href='{{value}}'>{{value}}</a><br/>If a script is running away, disable its key: <a href='{{value}}'>{{value}}</a>",
    },
    zh: {
      title: "您的账户消费异常",
      text: "{{value}}：最近一小时消费 {{value}}，超过您设置的上限 {{value}}。当前余额 {{value}}，充值链接：{{value}}。如有脚本失控，请停用其密钥：{{value}}",
      html: "{{value}}：最近一小时消费 {{value}}，超过您设置的上限 {{value}}。当前余额 {{value}}。<br/>充值链接：<a href='{{value}}'>{{value}}</a><br/>如有脚本失控，请停用其密钥：<a href='{{value}}'>{{value}}</a>",
    },
  },
  test: {
    en: {
      title: "Test notification",
      text: "{{value}}: notifications reach you here. Your balance is {{value}}. Top-up link: {{value}}",
      html: "{{value}}: notifications reach you here. Your balance is {{value}}.<br/>Top-up link: <a href='{{value}}'>{{value}}</a>",
    },
    zh: {
      title: "测试通知",
      text: "{{value}}：通知可以送达这里。当前余额 {{value}}。充值链接：{{value}}",
      html: "{{value}}：通知可以送达这里。当前余额 {{value}}。<br/>充值链接：<a href='{{value}}'>{{value}}</a>",
    },
  },
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** replaces each {{value}} in turn with the next value (a missing value leaves ""), never printf-style */
export function fillPlaceholders(template: string, values: readonly string[]): string {
  let i = 0;
  return template.replace(/\{\{value\}\}/g, () => values[i++] ?? "");
}

export type RenderInput = {
  kind: NotificationKind;
  payload: Record<string, unknown>;
  lang: Lang;
  display: QuotaDisplay;
  /** the portal's base URL, without a trailing slash */
  origin: string;
};

const big = (v: unknown) => {
  try {
    return BigInt(String(v ?? "0"));
  } catch {
    return 0n;
  }
};

export function renderNotification({ kind, payload, lang, display, origin }: RenderInput): Rendered {
  const t = TEMPLATES[kind][lang];
  const money = (v: unknown) => formatQuota(big(v), display, 4, lang === "zh" ? "额度" : "tokens");
  const wallet = `${origin}/wallet`;
  const keys = `${origin}/keys`;
  // the email/webhook contents of quota_exceed repeat the link (text and href), as new-api's do
  // the links come last; the HTML part writes each twice (href and text)
  const [values, links] =
    kind === "quota_exceed"
      ? [[t.title, money(payload.balance), money(payload.threshold), wallet], 1]
      : kind === "spend_rate"
        ? [[t.title, money(payload.spent), money(payload.limit), money(payload.balance), wallet, keys], 2]
        : [[t.title, money(payload.balance), wallet], 1];
  const htmlValues = [
    ...values.slice(0, -links).map(escapeHtml),
    ...values.slice(-links).flatMap((v) => [escapeHtml(v), escapeHtml(v)]),
  ];
  return {
    title: t.title,
    content: fillPlaceholders(t.text, values),
    html: fillPlaceholders(t.html, htmlValues),
    values,
  };
}
