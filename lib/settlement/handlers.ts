import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { authorizeKey } from "@/lib/keys/authorize";
import { getOptions } from "@/lib/options/service";
import { computeQuota, estimateQuota, resolvePricing, type Pricing } from "@/lib/quota/pricing";
import { recallPricing } from "@/lib/quota/pricing-cache";
import { refund } from "@/lib/quota/refund";
import { reserve } from "@/lib/quota/reserve";
import { settle } from "@/lib/quota/settle";
import { parseBody, withServiceKey } from "./http";
import { ZRefundBody, ZReserveBody, ZSettleBody } from "./schemas";

// POST /api/settlement/{reserve,settle,refund} (SPEC §7). One database round trip per call in the
// usual case: the key and the service credential come from caches, the pricing of a reservation
// from the process that reserved it (else from the reservation row).

export const settlementReserve = withServiceKey(async (body) => {
  const b = parseBody(ZReserveBody, body);
  const key = await authorizeKey(b.key, { clientIp: b.client_ip, model: b.model });
  const o = await getOptions();
  const pricing = resolvePricing(o, {
    model: b.model,
    userGroup: key.user.group,
    usingGroup: key.usingGroup,
    acceptUnpriced: key.user.acceptUnpricedModels,
  });
  const estimate = estimateQuota(pricing, {
    promptTokens: b.prompt_tokens ?? 0,
    maxTokens: b.max_tokens,
    preConsumedTokens: o.PreConsumedQuota,
  });
  const r = await reserve({
    requestId: b.request_id,
    userId: key.userId,
    tokenId: key.tokenId,
    model: b.model,
    group: key.usingGroup,
    estimate,
    pricing,
  });
  return {
    reservation_id: r.reservationId.toString(),
    request_id: r.requestId,
    held_quota: Number(r.held),
    estimate: Number(estimate),
    trusted: r.trusted,
    expires_at: r.expiresAt.toISOString(),
    replayed: r.existing,
  };
});

/** the reservation a settle/refund names, with the pricing it was reserved at */
async function resolveReservation(ref: { reservation_id?: string; request_id?: string }): Promise<{ reservationId: bigint; pricing: Pricing }> {
  const reservationId = ref.reservation_id !== undefined ? BigInt(ref.reservation_id) : undefined;
  const cached = recallPricing({ reservationId, requestId: ref.request_id });
  if (cached) return cached;
  const row = await db.reservation.findFirst({
    where: reservationId !== undefined ? { id: reservationId } : { requestId: ref.request_id },
    select: { id: true, modelName: true, pricing: true },
  });
  if (!row) throw new AppError("reservation_not_found", "Reservation not found", 404);
  return { reservationId: row.id, pricing: pricingFromStored(row.modelName, row.pricing as Record<string, unknown>) };
}

/** rebuilds a Pricing from the fields reserve stored on the reservation (pricingLogFields) */
function pricingFromStored(model: string, p: Record<string, unknown>): Pricing {
  const num = (k: string, d: number) => (typeof p[k] === "number" ? (p[k] as number) : d);
  return {
    model,
    mode: p.billing_mode === "price" ? "price" : "ratio",
    modelRatio: num("model_ratio", 0),
    completionRatio: num("completion_ratio", 1),
    cacheRatio: num("cache_ratio", 1),
    modelPrice: num("model_price", -1),
    groupRatio: num("group_ratio", 1),
    userGroupRatio: num("user_group_ratio", -1),
    free: false,
    quotaPerUnit: num("quota_per_unit", 500_000),
  };
}

export const settlementSettle = withServiceKey(async (body) => {
  const b = parseBody(ZSettleBody, body);
  const { reservationId, pricing } = await resolveReservation(b);
  const usage = { promptTokens: b.usage.prompt_tokens, completionTokens: b.usage.completion_tokens, cachedTokens: b.usage.cached_tokens };
  const quota = computeQuota(pricing, usage);
  const s = await settle({
    reservationId,
    quota,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    isStream: b.is_stream,
    useTimeMs: b.use_time_ms,
    other: { usage_source: "upstream", cache_tokens: usage.cachedTokens ?? 0, request_path: "/api/settlement/settle" },
  });
  return { reservation_id: reservationId.toString(), charged_quota: Number(s.charged), log_id: s.logId.toString(), replayed: s.existing };
});

export const settlementRefund = withServiceKey(async (body) => {
  const b = parseBody(ZRefundBody, body);
  const { reservationId } = await resolveReservation(b);
  const r = await refund(reservationId, b.reason ?? "refunded through the settlement API");
  return { reservation_id: reservationId.toString(), returned_quota: Number(r.returned), replayed: r.existing };
});
