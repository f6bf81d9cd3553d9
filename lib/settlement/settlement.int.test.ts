import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { setOption } from "@/lib/options/service";
import { auditLedger } from "@/lib/quota/audit";
import { OPTION_DEFAULTS } from "@/lib/options/schemas";
import { resolvePricing } from "@/lib/quota/pricing";
import { forgetPricing } from "@/lib/quota/pricing-cache";
import { RELAY_OWNER, reserve } from "@/lib/quota/reserve";
import { balances, makeKey, makeUser, requestId } from "@/tests/factories";
import { settlementRefund, settlementRenew, settlementReserve, settlementSettle } from "./handlers";
import { sweepExpiredReservations } from "@/lib/quota/sweeper";
import { settlementOpenApi } from "./openapi";
import { createServiceKey, revokeServiceKey } from "./service-keys";
import { auditLedgerAfterEach } from "@/tests/ledger-after-each";

let secret: string;
let otherSecret: string;
const call = async (
  handler: (r: Request) => Promise<Response>,
  body: unknown,
  auth: string | null = `Bearer ${secret}`,
) => {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (auth) headers.authorization = auth;
  const res = await handler(
    new Request("http://local/api/settlement", {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  return {
    status: res.status,
    json: (await res.json()) as { success: boolean; code?: string; message?: string; data?: Record<string, unknown> },
  };
};

auditLedgerAfterEach();

beforeAll(async () => {
  await setOption("PreConsumeMode", "always");
  secret = (await createServiceKey("external relay")).secret;
  otherSecret = (await createServiceKey("another relay")).secret;
});

describe("settlement API", () => {
  it("reserve → settle charges computeQuota of the usage once; replays return the first results", async () => {
    const u = await makeUser({ quota: 1_000_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 500_000n });
    const rid = requestId();
    const r1 = await call(settlementReserve, {
      key: k.key,
      model: "gpt-4o",
      request_id: rid,
      prompt_tokens: 100,
      max_tokens: 1000,
    });
    expect(r1.status).toBe(200);
    // (max(100, 500) + 1000) × 1.25 = 1875
    expect(r1.json.data).toMatchObject({
      held_quota: 1875,
      estimate: 1875,
      trusted: false,
      request_id: rid,
      replayed: false,
    });
    const r2 = await call(settlementReserve, {
      key: k.key,
      model: "gpt-4o",
      request_id: rid,
      prompt_tokens: 100,
      max_tokens: 1000,
    });
    expect(r2.json.data).toMatchObject({ reservation_id: r1.json.data!.reservation_id, replayed: true });
    expect((await balances(u.id, k.id)).quota).toBe(1_000_000n - 1875n);

    const usage = { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 400 };
    const s1 = await call(settlementSettle, { request_id: rid, usage, use_time_ms: 1234 });
    // (600 + 400×0.5 + 500×4) × 1.25 = 3500
    expect(s1.status).toBe(200);
    expect(s1.json.data).toMatchObject({ charged_quota: 3500, replayed: false });
    const s2 = await call(settlementSettle, {
      reservation_id: r1.json.data!.reservation_id,
      usage: { prompt_tokens: 9, completion_tokens: 9 },
    });
    expect(s2.json.data).toMatchObject({ charged_quota: 3500, replayed: true, log_id: s1.json.data!.log_id });
    expect(await balances(u.id, k.id)).toMatchObject({
      quota: 1_000_000n - 3500n,
      remain: 500_000n - 3500n,
      requestCount: 1n,
    });
    const log = await db.log.findFirstOrThrow({ where: { userId: u.id, type: 2 } });
    expect(log).toMatchObject({ quota: 3500n, requestId: rid, useTime: 1 });
    expect(log.other).toMatchObject({
      usage_source: "upstream",
      cache_tokens: 400,
      model_ratio: 1.25,
      use_time_ms: 1234,
    });
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("prices a settle from the reservation row when this process did not reserve it", async () => {
    const u = await makeUser({ quota: 1_000_000n });
    const k = await makeKey(u.id);
    const rid = requestId();
    const r = await call(settlementReserve, { key: k.key, model: "claude-sonnet-4-5", request_id: rid });
    forgetPricing(BigInt(r.json.data!.reservation_id as string));
    const s = await call(settlementSettle, { request_id: rid, usage: { prompt_tokens: 1000, completion_tokens: 200 } });
    // (1000 + 200×5) × 1.5 = 3000
    expect(s.json.data).toMatchObject({ charged_quota: 3000 });
  });

  it("refund returns the hold once; a settle after it is refused with 409", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const rid = requestId();
    await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid });
    expect((await balances(u.id, k.id)).quota).toBe(100_000n - 625n);
    const f1 = await call(settlementRefund, { request_id: rid, reason: "upstream failed" });
    const f2 = await call(settlementRefund, { request_id: rid });
    expect(f1.json.data).toMatchObject({ returned_quota: 625, replayed: false });
    expect(f2.json.data).toMatchObject({ returned_quota: 0, replayed: true });
    const s = await call(settlementSettle, { request_id: rid, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    expect(s).toMatchObject({ status: 409, json: { success: false, code: "reservation_refunded" } });
    expect((await balances(u.id, k.id)).quota).toBe(100_000n);
  });

  it("an explicit refund after the sweeper expired the hold is final: a later settle is a 409 that charges nothing", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 50_000n });
    const rid = requestId();
    const r = await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid });
    expect(r.status).toBe(200);
    const id = BigInt(r.json.data!.reservation_id as string);
    // the relay went quiet past its lease: the sweeper returns the hold (provisionally)
    await db.reservation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sweepExpiredReservations()).toBe(1);
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 100_000n, remain: 50_000n });

    // the relay then says the request failed: nothing left to return, and that decision is final
    const f = await call(settlementRefund, { request_id: rid, reason: "upstream failed" });
    expect(f.status).toBe(200);
    expect(f.json.data).toMatchObject({ returned_quota: 0 });
    for (const body of [
      { request_id: rid, usage: { prompt_tokens: 1000, completion_tokens: 1000 } },
      { reservation_id: id.toString(), usage: { prompt_tokens: 5, completion_tokens: 5 } },
    ]) {
      const s = await call(settlementSettle, body);
      expect(s).toMatchObject({ status: 409, json: { success: false, code: "reservation_refunded" } });
    }
    expect(await balances(u.id, k.id)).toMatchObject({
      quota: 100_000n,
      usedQuota: 0n,
      remain: 50_000n,
      keyUsed: 0n,
      requestCount: 0n,
    });
    expect(await db.log.count({ where: { userId: u.id, type: 2 } })).toBe(0);
  });

  it("80 concurrent replays of one reserve through the handler: all 200 with the same reservation, one hold", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { unlimitedQuota: false, remainQuota: 50_000n });
    const body = { key: k.key, model: "gpt-4o", request_id: requestId(), prompt_tokens: 10, max_tokens: 100 };
    const results = await Promise.all(Array.from({ length: 80 }, () => call(settlementReserve, body)));
    expect(results.map((r) => r.status)).toEqual(Array(80).fill(200));
    const ids = new Set(results.map((r) => r.json.data!.reservation_id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.json.data!.replayed === false)).toHaveLength(1);
    const held = results[0].json.data!.held_quota as number;
    expect(held).toBeGreaterThan(0);
    expect(results.every((r) => r.json.data!.held_quota === held)).toBe(true);
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(1);
    expect(await balances(u.id, k.id)).toMatchObject({
      quota: 100_000n - BigInt(held),
      remain: 50_000n - BigInt(held),
    });
    // and it settles once
    const s = await call(settlementSettle, {
      request_id: body.request_id,
      usage: { prompt_tokens: 10, completion_tokens: 10 },
    });
    expect(s.status).toBe(200);
    expect(await db.log.count({ where: { userId: u.id, type: 2 } })).toBe(1);
  });

  it("a request id belongs to the credential that reserved it: another credential gets its own reservation", async () => {
    const a = await makeUser({ quota: 100_000n });
    const ak = await makeKey(a.id);
    const broke = await makeUser();
    const bk = await makeKey(broke.id);
    const rid = requestId();
    const first = await call(settlementReserve, { key: ak.key, model: "gpt-4o", request_id: rid });
    expect(first.json.data).toMatchObject({ held_quota: 625, replayed: false });
    // the same request id from another credential, for a user with no money: its own reservation, refused on its own balance
    const other = await call(
      settlementReserve,
      { key: bk.key, model: "gpt-4o", request_id: rid },
      `Bearer ${otherSecret}`,
    );
    expect(other).toMatchObject({ status: 403, json: { code: "insufficient_user_quota" } });
    // and settling "rid" with the other credential does not touch the first user's reservation
    const s = await call(
      settlementSettle,
      { request_id: rid, usage: { prompt_tokens: 100, completion_tokens: 100 } },
      `Bearer ${otherSecret}`,
    );
    expect(s).toMatchObject({ status: 404, json: { code: "reservation_not_found" } });
    expect(await balances(a.id, ak.id)).toMatchObject({ quota: 100_000n - 625n, usedQuota: 0n });
    const rich = await makeUser({ quota: 100_000n });
    const rk = await makeKey(rich.id);
    const mine = await call(
      settlementReserve,
      { key: rk.key, model: "gpt-4o", request_id: rid },
      `Bearer ${otherSecret}`,
    );
    expect(mine.json.data).toMatchObject({ held_quota: 625, replayed: false });
    expect(mine.json.data!.reservation_id).not.toBe(first.json.data!.reservation_id);
    expect(await db.reservation.count({ where: { requestId: rid } })).toBe(2);
  });

  it("the same request id with another key, user or model is a 409 conflict that reserves and charges nothing", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const k2 = await makeKey(u.id);
    const broke = await makeUser();
    const bk = await makeKey(broke.id);
    const rid = requestId();
    await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid });
    for (const body of [
      { key: bk.key, model: "gpt-4o", request_id: rid }, // another user (a broke one: no way past the balance check)
      { key: k2.key, model: "gpt-4o", request_id: rid }, // another key of the same user
      { key: k.key, model: "gpt-4o-mini", request_id: rid }, // another model
    ]) {
      const r = await call(settlementReserve, body);
      expect(r).toMatchObject({ status: 409, json: { success: false, code: "request_id_conflict" } });
    }
    expect(await db.reservation.count({ where: { requestId: rid } })).toBe(1);
    expect((await balances(u.id, k.id)).quota).toBe(100_000n - 625n);
    expect((await balances(broke.id, bk.id)).quota).toBe(0n);
    // the replay by the owner with the same key and model still returns the first result
    expect((await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid })).json.data).toMatchObject({
      replayed: true,
      held_quota: 625,
    });
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("a replayed reserve never re-prices: the settle prices with what the reservation stored, cached or not", async () => {
    const u = await makeUser({ quota: 10_000_000n });
    const k = await makeKey(u.id);
    const model = "replay-priced";
    await setOption("ModelRatio", JSON.stringify({ ...OPTION_DEFAULTS.ModelRatio, [model]: 1 }));
    try {
      const rids = [requestId(), requestId()];
      for (const rid of rids) await call(settlementReserve, { key: k.key, model, request_id: rid, max_tokens: 100 });
      // the price changes, then the reserves are replayed: the replays must not replace the stored pricing
      await setOption("ModelRatio", JSON.stringify({ ...OPTION_DEFAULTS.ModelRatio, [model]: 100 }));
      for (const rid of rids) {
        const again = await call(settlementReserve, { key: k.key, model, request_id: rid, max_tokens: 100 });
        // the first reservation's estimate: (500 + 100) × 1
        expect(again.json.data).toMatchObject({ replayed: true, estimate: 600, held_quota: 600 });
      }
      const usage = { prompt_tokens: 1000, completion_tokens: 0 };
      const cached = await call(settlementSettle, { request_id: rids[0], usage });
      const reservation = await db.reservation.findFirstOrThrow({ where: { requestId: rids[1] } });
      forgetPricing(reservation.id);
      const fromRow = await call(settlementSettle, { request_id: rids[1], usage });
      expect(cached.json.data).toMatchObject({ charged_quota: 1000 });
      expect(fromRow.json.data).toMatchObject({ charged_quota: 1000 });
    } finally {
      await setOption("ModelRatio", JSON.stringify(OPTION_DEFAULTS.ModelRatio));
    }
  });

  it("a credential settles and refunds only its own reservations, never the relay's", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const rid = requestId();
    const r = await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid });
    const id = r.json.data!.reservation_id as string;
    const usage = { prompt_tokens: 10, completion_tokens: 10 };
    for (const body of [{ reservation_id: id }, { request_id: rid }]) {
      expect(await call(settlementSettle, { ...body, usage }, `Bearer ${otherSecret}`)).toMatchObject({
        status: 404,
        json: { code: "reservation_not_found" },
      });
      expect(await call(settlementRefund, body, `Bearer ${otherSecret}`)).toMatchObject({
        status: 404,
        json: { code: "reservation_not_found" },
      });
    }
    expect(await db.reservation.findUniqueOrThrow({ where: { id: BigInt(id) } })).toMatchObject({
      status: 1,
      heldQuota: 625n,
    });
    // a reservation of the relay (a stream in flight) cannot be refunded or settled through this API
    const relayRid = requestId();
    const relay = await reserve({
      owner: RELAY_OWNER,
      requestId: relayRid,
      userId: u.id,
      tokenId: k.id,
      model: "gpt-4o",
      group: "default",
      estimate: 100n,
      pricing: resolvePricing(OPTION_DEFAULTS, { model: "gpt-4o", userGroup: "default", usingGroup: "default" }),
    });
    for (const body of [{ reservation_id: relay.reservationId.toString() }, { request_id: relayRid }]) {
      expect(await call(settlementRefund, body)).toMatchObject({
        status: 404,
        json: { code: "reservation_not_found" },
      });
      expect(await call(settlementSettle, { ...body, usage })).toMatchObject({
        status: 404,
        json: { code: "reservation_not_found" },
      });
    }
    expect(await db.reservation.findUniqueOrThrow({ where: { id: relay.reservationId } })).toMatchObject({
      status: 1,
      heldQuota: 100n,
    });
    expect((await balances(u.id, k.id)).quota).toBe(100_000n - 725n);
  });

  it("renew extends the owner's lease, so the sweeper leaves a long request's hold alone; closed ones cannot be renewed", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const rid = requestId();
    const r = await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid });
    const id = BigInt(r.json.data!.reservation_id as string);
    // the lease ran out a moment ago; the relay is still streaming and renews it
    await db.reservation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const renewed = await call(settlementRenew, { request_id: rid });
    expect(renewed.status).toBe(200);
    expect(new Date(renewed.json.data!.expires_at as string).getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await sweepExpiredReservations()).toBe(0);
    expect(await call(settlementRenew, { request_id: rid }, `Bearer ${otherSecret}`)).toMatchObject({
      status: 404,
      json: { code: "reservation_not_found" },
    });
    await call(settlementSettle, { request_id: rid, usage: { prompt_tokens: 10, completion_tokens: 10 } });
    expect(await call(settlementRenew, { reservation_id: id.toString() })).toMatchObject({
      status: 409,
      json: { code: "reservation_closed", message: expect.stringContaining("settled") },
    });
    expect((await auditLedger()).differences).toEqual([]);
  });

  it("refuses calls without a valid service credential, and an end-user key alone", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    const body = { key: k.key, model: "gpt-4o", request_id: requestId() };
    expect(await call(settlementReserve, body, null)).toMatchObject({
      status: 401,
      json: { code: "missing_service_key" },
    });
    expect(await call(settlementReserve, body, `Bearer ${k.key}`)).toMatchObject({
      status: 401,
      json: { code: "service_key_required" },
    });
    expect(await call(settlementReserve, body, "Bearer tgs_" + "x".repeat(48))).toMatchObject({
      status: 401,
      json: { code: "invalid_service_key" },
    });
    const other = await createServiceKey("to revoke");
    expect((await call(settlementReserve, { ...body, request_id: requestId() }, `Bearer ${other.secret}`)).status).toBe(
      200,
    );
    await revokeServiceKey(other.id);
    expect(await call(settlementReserve, { ...body, request_id: requestId() }, `Bearer ${other.secret}`)).toMatchObject(
      { status: 401, json: { code: "invalid_service_key" } },
    );
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(1);
  });

  it("answers bad input with 4xx and a clear code, changing nothing", async () => {
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id, { modelLimits: ["gpt-4o"] });
    const bad: Array<[(r: Request) => Promise<Response>, unknown, number, string]> = [
      [settlementReserve, "{not json", 400, "invalid_json"],
      [settlementReserve, { key: k.key, model: "gpt-4o" }, 400, "validation"],
      [settlementReserve, { key: k.key, model: "gpt-4o", request_id: "has space" }, 400, "validation"],
      [
        settlementReserve,
        { key: k.key, model: "gpt-4o", request_id: requestId(), prompt_tokens: -1 },
        400,
        "validation",
      ],
      [settlementReserve, { key: k.key, model: "gpt-4o", request_id: requestId(), max_tokens: 1.5 }, 400, "validation"],
      [settlementReserve, { key: "sk-nope", model: "gpt-4o", request_id: requestId() }, 401, "invalid_api_key"],
      [settlementReserve, { key: k.key, model: "gpt-4o-mini", request_id: requestId() }, 403, "model_not_allowed"],
      [
        settlementSettle,
        { request_id: requestId(), usage: { prompt_tokens: 1, completion_tokens: 1 } },
        404,
        "reservation_not_found",
      ],
      [settlementSettle, { usage: { prompt_tokens: 1, completion_tokens: 1 } }, 400, "validation"],
      [
        settlementSettle,
        { reservation_id: "1", usage: { prompt_tokens: -5, completion_tokens: 1 } },
        400,
        "validation",
      ],
      [
        settlementSettle,
        { reservation_id: "abc", usage: { prompt_tokens: 1, completion_tokens: 1 } },
        400,
        "validation",
      ],
      [settlementRefund, { reservation_id: "999999" }, 404, "reservation_not_found"],
      [settlementRefund, { reservation_id: "9999999999999999999" }, 400, "validation"],
    ];
    for (const [handler, body, status, code] of bad) {
      const r = await call(handler, body);
      expect({ status: r.status, code: r.json.code, success: r.json.success }).toEqual({
        status,
        code,
        success: false,
      });
      expect(r.json.message).toBeTruthy();
    }
    expect(await balances(u.id, k.id)).toMatchObject({ quota: 100_000n, usedQuota: 0n });
    expect(await db.reservation.count({ where: { userId: u.id } })).toBe(0);
  });

  it("refuses NUL characters in any text with a 400 (PostgreSQL cannot store them: it was a 500)", async () => {
    const u = await makeUser({ quota: 100_000n });
    // a user who accepts unpriced models: an unknown model name reaches the reservation row
    await db.user.update({ where: { id: u.id }, data: { setting: { accept_unset_model_ratio_model: true } } });
    const k = await makeKey(u.id);
    const rid = requestId();
    expect((await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: rid })).status).toBe(200);
    const bad: Array<[(r: Request) => Promise<Response>, unknown, string]> = [
      [settlementRefund, { request_id: rid, reason: "upstream\u0000failed" }, "reason"],
      [settlementReserve, { key: k.key, model: "my\u0000model", request_id: requestId() }, "model"],
      [settlementReserve, { key: `${k.key}\u0000`, model: "gpt-4o", request_id: requestId() }, "key"],
      [settlementReserve, { key: k.key, model: "gpt-4o", request_id: "r\u00001" }, "request_id"],
      [
        settlementReserve,
        { key: k.key, model: "gpt-4o", request_id: requestId(), client_ip: "1.2.3.4\u0000" },
        "client_ip",
      ],
    ];
    for (const [handler, body, field] of bad) {
      const r = await call(handler, body);
      expect({ field, status: r.status, code: r.json.code }).toEqual({ field, status: 400, code: "validation" });
      expect(r.json.message).toContain(field);
    }
    const nul = await call(settlementRefund, { request_id: rid, reason: "upstream\u0000failed" });
    expect(nul.json.message).toBe("reason: must not contain NUL (U+0000) characters");
    // only the first reservation exists, still open
    expect(
      await db.reservation.findMany({ where: { userId: u.id }, select: { requestId: true, status: true } }),
    ).toEqual([{ requestId: rid, status: 1 }]);
  });

  it("gives the relay's errors for key problems and insufficient quota", async () => {
    const poor = await makeUser({ quota: 100n });
    const pk = await makeKey(poor.id);
    expect(await call(settlementReserve, { key: pk.key, model: "gpt-4o", request_id: requestId() })).toMatchObject({
      status: 403,
      json: { code: "insufficient_user_quota" },
    });
    const u = await makeUser({ quota: 100_000n });
    const k = await makeKey(u.id);
    await db.token.update({ where: { id: k.id }, data: { status: 2 } });
    const { invalidate } = await import("@/lib/cache/bus");
    invalidate("key", k.id);
    expect(await call(settlementReserve, { key: k.key, model: "gpt-4o", request_id: requestId() })).toMatchObject({
      status: 401,
      json: { code: "token_disabled" },
    });
    expect(
      await call(settlementReserve, {
        key: (await makeKey(u.id)).key,
        model: "no-such-model",
        request_id: requestId(),
      }),
    ).toMatchObject({
      status: 400,
      json: { code: "model_price_error" },
    });
  });

  it("documents every endpoint in OpenAPI with the handlers' own schemas", () => {
    const doc = settlementOpenApi();
    expect(Object.keys(doc.paths)).toEqual([
      "/api/settlement/reserve",
      "/api/settlement/settle",
      "/api/settlement/renew",
      "/api/settlement/refund",
    ]);
    const reserveSchema = doc.paths["/api/settlement/reserve"].post.requestBody.content["application/json"].schema as {
      required: string[];
    };
    expect(reserveSchema.required).toEqual(expect.arrayContaining(["key", "model", "request_id"]));
  });
});
