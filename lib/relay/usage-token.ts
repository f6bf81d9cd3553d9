import "server-only";
import { apiErrorResponse } from "@/lib/http/api";
import { quotaToJsonNumber } from "@/lib/quota/money";
import { balancesOf } from "./billing";
import { withRelayKey } from "./mount";

// GET /api/usage/token: a key reads its own usage (new-api's "read-only" key check). Expired
// and exhausted keys may still look; disabled keys may not; the key's IP allow-list applies as on
// every key route. Success keeps new-api's envelope {code:true, message:"ok", data}; errors use the
// /api shape {success:false, code, message}. Amounts are raw quota, read fresh.

export const tokenUsage = withRelayKey(
  {
    path: "/api/usage/token",
    method: "GET",
    readOnly: true,
    writeError: (e, requestId) => apiErrorResponse(e, { headers: { "x-request-id": requestId } }),
  },
  async ({ auth }) => {
    const { key } = auth;
    const b = await balancesOf(key.tokenId);
    return Response.json({
      code: true,
      message: "ok",
      data: {
        object: "token_usage",
        name: key.name,
        total_granted: quotaToJsonNumber(b.remain + b.used),
        total_used: quotaToJsonNumber(b.used),
        total_available: quotaToJsonNumber(b.remain),
        unlimited_quota: key.unlimitedQuota,
        model_limits: Object.fromEntries([...key.modelLimits].map((m) => [m, true])),
        model_limits_enabled: key.modelLimitsEnabled,
        expires_at: key.expiredTime === -1 ? 0 : key.expiredTime,
      },
    });
  },
);
