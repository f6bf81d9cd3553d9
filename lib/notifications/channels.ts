import "server-only";
import { createHmac } from "node:crypto";
import { Resend } from "resend";
import { env } from "@/lib/env";
import type { AddressPolicy } from "@/lib/net/address";
import { DeliveryError, sendGuarded } from "./http";
import { gotifyPriority, type NotifyType, type StoredUserSetting } from "./schemas";
import type { Rendered } from "./templates";

// One function per channel (e-mail, webhook, Bark, Gotify, as new-api has them). Each carries the notification's stable id
// (`id` in the webhook body and header X-Tollgate-Notification-Id, the e-mail's Idempotency-Key
// and header, a header on Bark, Gotify's `extras`), so a receiver can drop
// the redelivery that follows a process dying between the send and the record of it.

const NOTIFICATION_ID_HEADER = "X-Tollgate-Notification-Id";
const SIGNATURE_HEADER = "X-Webhook-Signature";
const TIMESTAMP_HEADER = "X-Webhook-Timestamp";
const USER_AGENT = "Tollgate-Notify/1.0";
const EMAIL_TIMEOUT_MS = 15_000;

export type Delivery = {
  /** the stable notification id, e.g. "ntf_42" */
  id: string;
  kind: string;
  channel: NotifyType;
  rendered: Rendered;
  setting: StoredUserSetting;
  accountEmail: string;
  emailFrom: string;
  systemName: string;
  policy: AddressPolicy;
  /** unix seconds */
  now: number;
};

/** the webhook signature: hex(HMAC-SHA256(secret, raw body)); the body carries the timestamp */
function signWebhook(secret: string, rawBody: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("hex");
}

export async function deliver(d: Delivery): Promise<{ statusCode: number | null }> {
  switch (d.channel) {
    case "webhook":
      return sendWebhook(d);
    case "bark":
      return sendBark(d);
    case "gotify":
      return sendGotify(d);
    default:
      return sendEmail(d);
  }
}

async function sendWebhook(d: Delivery) {
  const url = d.setting.webhook_url;
  if (!url) throw new DeliveryError("No webhook URL is set", null, false);
  // the timestamp is inside the signed body (and repeated as a header): a receiver that rejects
  // old timestamps rejects replays, and nobody can change it without the secret
  const body = JSON.stringify({
    id: d.id,
    type: d.kind,
    title: d.rendered.title,
    content: d.rendered.content,
    values: d.rendered.values,
    timestamp: d.now,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    [NOTIFICATION_ID_HEADER]: d.id,
    [TIMESTAMP_HEADER]: String(d.now),
  };
  if (d.setting.webhook_secret) headers[SIGNATURE_HEADER] = signWebhook(d.setting.webhook_secret, body);
  return sendGuarded({ method: "POST", url, headers, body }, d.policy);
}

async function sendBark(d: Delivery) {
  const template = d.setting.bark_url;
  if (!template) throw new DeliveryError("No Bark URL is set", null, false);
  const url = template
    .replaceAll("{{title}}", encodeURIComponent(d.rendered.title))
    .replaceAll("{{content}}", encodeURIComponent(d.rendered.content));
  return sendGuarded(
    { method: "GET", url, headers: { "user-agent": USER_AGENT, [NOTIFICATION_ID_HEADER]: d.id } },
    d.policy,
  );
}

async function sendGotify(d: Delivery) {
  const base = d.setting.gotify_url;
  const token = d.setting.gotify_token;
  if (!base || !token) throw new DeliveryError("The Gotify URL or token is not set", null, false);
  const url = `${base.replace(/\/+$/, "")}/message?token=${encodeURIComponent(token)}`;
  const body = JSON.stringify({
    title: d.rendered.title,
    message: d.rendered.content,
    priority: gotifyPriority(d.setting.gotify_priority),
    extras: { "tollgate::notification": { id: d.id, type: d.kind } },
  });
  return sendGuarded(
    {
      method: "POST",
      url,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": USER_AGENT,
        [NOTIFICATION_ID_HEADER]: d.id,
      },
      body,
    },
    d.policy,
  );
}

async function sendEmail(d: Delivery) {
  const to = (d.setting.notification_email || d.accountEmail || "").trim();
  if (!to) throw new DeliveryError("No e-mail address: set one on the settings page", null, false);
  const key = env().RESEND_API_KEY;
  if (!key) throw new DeliveryError("E-mail is not configured on this server (RESEND_API_KEY)", null, false);
  if (!d.emailFrom) throw new DeliveryError("No sender address is configured (option NotifyEmailFrom)", null, false);
  const resend = new Resend(key, { baseUrl: env().RESEND_BASE_URL });
  // the SDK has no timeout: a hung call must end well inside the worker's lease (a late duplicate
  // is dropped by Resend through the idempotency key)
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeliveryError(`Resend: no answer within ${EMAIL_TIMEOUT_MS / 1000} s`)),
      EMAIL_TIMEOUT_MS,
    );
  });
  const sending = resend.emails.send(
    {
      // "Name <address>" as configured, a bare address under the site's name
      from: d.emailFrom.includes("<") ? d.emailFrom : `${d.systemName} <${d.emailFrom}>`,
      to: to
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean),
      subject: d.rendered.title,
      html: `<p>${d.rendered.html}</p>`,
      text: d.rendered.content,
      headers: { [NOTIFICATION_ID_HEADER]: d.id },
    },
    { idempotencyKey: `tollgate-${d.id}` },
  );
  const { data, error } = await Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
  if (error || !data) {
    const status = (error as { statusCode?: number | null } | null)?.statusCode ?? null;
    const retryable = status === null || status >= 500 || status === 429;
    throw new DeliveryError(`Resend: ${error?.message ?? "no answer"}`, status, retryable);
  }
  return { statusCode: 200 };
}
