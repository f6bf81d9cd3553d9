import "server-only";
import { db } from "@/lib/db";
import { AppError, parseOrThrow } from "@/lib/errors";
import { authorizeKey } from "@/lib/keys/authorize";
import { getOptions } from "@/lib/options/service";
import { computeQuota, estimateQuota, pricingFromLogFields, resolvePricing, type Pricing } from "@/lib/quota/pricing";
import { recallPricing } from "@/lib/quota/pricing-cache";
import { renewLease } from "@/lib/quota/leases";
import { refund } from "@/lib/quota/refund";
import { RESERVATION_STATUS } from "@/lib/quota/schemas";
import { reserve, serviceOwner, type ReservationOwner } from "@/lib/quota/reserve";
import { settleAwaited } from "@/lib/quota/settle-queue";
import { withServiceKey } from "./http";
import { ZRefundBody, ZRenewBody, ZReserveBody, ZSettleBody } from "./schemas";

// POST /api/settlement/{reserve,settle,refund}. A request id belongs to the credential
// that reserved it: it settles and refunds only its own reservations. One database round trip per
// call in the usual case: the key and the service credential come from caches, the pricing of a
// reservation from the process that reserved it (else from the reservation row).

export const settlementReserve = withServiceKey(async (body, service) => {
  const b = parseOrThrow(ZReserveBody, body);
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
    owner: serviceOwner(service.id),
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
    estimate: Number(r.estimate),
    trusted: r.trusted,
    expires_at: r.expiresAt.toISOString(),
    replayed: r.existing,
  };
});

/**
 * The caller's reservation a settle or refund names, with the pricing it stored. Another
 * credential's reservations, and the relay's, are not found.
 */
async function resolveReservation(
  owner: ReservationOwner,
  ref: { reservation_id?: string; request_id?: string },
): Promise<{ reservationId: bigint; pricing: Pricing }> {
  const reservationId = ref.reservation_id !== undefined ? BigInt(ref.reservation_id) : undefined;
  const cached = recallPricing(owner, { reservationId, requestId: ref.request_id });
  if (cached) return cached;
  const row = await db.reservation.findFirst({
    where: reservationId !== undefined ? { id: reservationId, owner } : { owner, requestId: ref.request_id },
    select: { id: true, modelName: true, pricing: true },
  });
  if (!row) throw new AppError("reservation_not_found", "Reservation not found", 404);
  return { reservationId: row.id, pricing: pricingFromLogFields(row.modelName, row.pricing) };
}

export const settlementSettle = withServiceKey(async (body, service) => {
  const b = parseOrThrow(ZSettleBody, body);
  const owner = serviceOwner(service.id);
  const { reservationId, pricing } = await resolveReservation(owner, b);
  const usage = {
    promptTokens: b.usage.prompt_tokens,
    completionTokens: b.usage.completion_tokens,
    cachedTokens: b.usage.cached_tokens,
  };
  const quota = computeQuota(pricing, usage);
  const s = await settleAwaited(owner, {
    reservationId,
    quota,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    isStream: b.is_stream,
    useTimeMs: b.use_time_ms,
    other: { usage_source: "upstream", cache_tokens: usage.cachedTokens ?? 0, request_path: "/api/settlement/settle" },
  });
  if (s instanceof Error) throw s;
  return {
    reservation_id: reservationId.toString(),
    charged_quota: Number(s.charged),
    log_id: s.logId.toString(),
    replayed: s.existing,
  };
});

export const settlementRefund = withServiceKey(async (body, service) => {
  const b = parseOrThrow(ZRefundBody, body);
  const owner = serviceOwner(service.id);
  const { reservationId } = await resolveReservation(owner, b);
  const r = await refund(owner, reservationId, b.reason ?? "refunded through the settlement API");
  return { reservation_id: reservationId.toString(), returned_quota: Number(r.returned), replayed: r.existing };
});

/**
 * A hold is a lease of ReservationTtlSeconds: a relay still working on a request (a long stream)
 * renews it, as this app's relay does for its own requests, so the sweeper does not return it.
 */
export const settlementRenew = withServiceKey(async (body, service) => {
  const b = parseOrThrow(ZRenewBody, body);
  const owner = serviceOwner(service.id);
  const { reservationId } = await resolveReservation(owner, b);
  let expiresAt = await renewLease(owner, reservationId);
  if (!expiresAt) {
    const row = await db.reservation.findFirst({
      where: { id: reservationId, owner },
      select: { status: true, expiresAt: true },
    });
    if (!row) throw new AppError("reservation_not_found", "Reservation not found", 404);
    if (row.status !== RESERVATION_STATUS.open) {
      const state = Object.entries(RESERVATION_STATUS).find(([, v]) => v === row.status)?.[0] ?? "closed";
      throw new AppError("reservation_closed", `This reservation is ${state} and cannot be renewed`, 409);
    }
    // being settled or refunded at this very moment: its lease no longer matters
    expiresAt = row.expiresAt;
  }
  return { reservation_id: reservationId.toString(), expires_at: expiresAt.toISOString() };
});
