import { describe, expect, it } from "vitest";
import { ZLoginInput } from "@/lib/auth/schemas";
import { ZCreateChannelInput } from "@/lib/channels/schemas";
import { ZKeyFields } from "@/lib/keys/schemas";
import { ZNotifySettingsForm } from "@/lib/notifications/schemas";
import { ZAdjustQuotaInput } from "@/lib/quota/schemas";
import { ZCreateRedemptionsInput, ZRedeemInput } from "@/lib/redemption/schemas";
import { ZRefundBody, ZReserveBody } from "@/lib/settlement/schemas";
import { ZCreateUserInput, ZRegisterInput } from "@/lib/users/schemas";

// Every schema of client text that reaches PostgreSQL refuses NUL (U+0000): the database cannot store
// it, and the query failing was a 500.

const NUL = "\u0000";
const channel = { name: "c", baseUrl: "https://api.example.com", key: "sk-x", models: ["m"] };
const reserve = { key: "sk-abc", model: "gpt-4o", request_id: "r1" };

/** each input with `x` where a NUL goes: refused with x = NUL, accepted with x = "" */
const cases: [string, { safeParse(v: unknown): { success: boolean } }, (x: string) => unknown][] = [
  ["settlement reason", ZRefundBody, (x) => ({ request_id: "r1", reason: `a${x}b` })],
  ["settlement model", ZReserveBody, (x) => ({ ...reserve, model: `gpt-4o${x}` })],
  ["settlement key", ZReserveBody, (x) => ({ ...reserve, key: `sk-abc${x}` })],
  ["settlement request_id", ZReserveBody, (x) => ({ ...reserve, request_id: `r${x}1` })],
  ["settlement client_ip", ZReserveBody, (x) => ({ ...reserve, client_ip: `1.2.3.4${x}` })],
  ["key name", ZKeyFields, (x) => ({ name: `k${x}` })],
  ["key group", ZKeyFields, (x) => ({ name: "k", group: `g${x}` })],
  ["key models", ZKeyFields, (x) => ({ name: "k", modelLimits: [`m${x}`] })],
  ["key models (text)", ZKeyFields, (x) => ({ name: "k", modelLimits: `a,m${x}` })],
  ["display name", ZCreateUserInput, (x) => ({ username: "alice", password: "password123", displayName: `A${x}` })],
  ["aff code", ZRegisterInput, (x) => ({ username: "alice", password: "password123", affCode: `a${x}` })],
  ["login username", ZLoginInput, (x) => ({ username: `alice${x}`, password: "password123" })],
  ["redemption name", ZCreateRedemptionsInput, (x) => ({ name: `r${x}`, quota: 1 })],
  ["redemption code", ZRedeemInput, (x) => ({ code: `abc${x}` })],
  ["quota reason", ZAdjustQuotaInput, (x) => ({ userId: 1, mode: "add", amount: 1, reason: `r${x}` })],
  ["notification email", ZNotifySettingsForm, (x) => ({ notificationEmail: `a${x}@b.example` })],
  ["webhook secret", ZNotifySettingsForm, (x) => ({ webhookSecret: `s${x}` })],
  ["gotify token", ZNotifySettingsForm, (x) => ({ gotifyToken: `t${x}` })],
  ["channel name", ZCreateChannelInput, (x) => ({ ...channel, name: `c${x}` })],
  ["channel key", ZCreateChannelInput, (x) => ({ ...channel, key: `sk${x}` })],
  ["channel base URL", ZCreateChannelInput, (x) => ({ ...channel, baseUrl: `https://api.example.com/v1${x}` })],
  ["channel models", ZCreateChannelInput, (x) => ({ ...channel, models: [`m${x}`] })],
  ["channel model mapping", ZCreateChannelInput, (x) => ({ ...channel, modelMapping: { m: `n${x}` } })],
  [
    "channel model mapping (JSON)",
    ZCreateChannelInput,
    (x) => ({ ...channel, modelMapping: JSON.stringify({ [`m${x}`]: "n" }) }),
  ],
];

describe("NUL characters", () => {
  it.each(cases)("%s is refused", (_what, schema, input) => {
    expect(schema.safeParse(input(NUL)).success).toBe(false);
    // and the same without the NUL is fine
    expect(schema.safeParse(input("")).success).toBe(true);
  });

  it("says why", () => {
    const r = ZRefundBody.safeParse({ request_id: "r1", reason: `a${NUL}b` });
    expect(r.error?.issues[0]).toMatchObject({ path: ["reason"], message: "must not contain NUL (U+0000) characters" });
  });
});
