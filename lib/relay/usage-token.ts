import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { assertIpAllowed } from "@/lib/keys/authorize";
import { hashKeyBody } from "@/lib/keys/crypto";
import { compileIpRules } from "@/lib/keys/ip";
import { TOKEN_STATUS } from "@/lib/keys/schemas";
import { quotaToJsonNumber } from "@/lib/quota/money";
import { splitKey } from "./auth";
import { newRequestId } from "./ids";
import type { RelayContext } from "./proxy";

// GET /api/usage/token: a key reads its own usage (reference §6.4 "read-only" auth, §11). Only the
// Authorization header is read; expired and exhausted keys may still look, disabled keys may not,
// and the key's IP allow-list applies as on every other key route.
// Success keeps new-api's envelope {code:true, message:"ok", data}; errors use the /api shape
// {success:false, code, message}. Amounts are raw quota.

function fail(status: number, code: string, message: string, requestId: string): Response {
  return Response.json({ success: false, code, message }, { status, headers: { "x-request-id": requestId } });
}

export async function tokenUsage(req: Request, ctx: RelayContext): Promise<Response> {
  const requestId = newRequestId();
  try {
    if (req.method !== "GET") return fail(405, "method_not_allowed", `Method ${req.method} is not allowed`, requestId);
    const auth = req.headers.get("authorization")?.trim().replace(/^bearer(\s+|$)/i, "").trim();
    if (!auth) return fail(401, "missing_api_key", "Token not provided", requestId);
    const { body } = splitKey(auth);
    if (!body) return fail(401, "invalid_api_key", "Invalid token", requestId);
    const rows = await db.$queryRaw<
      { name: string; status: number; remain_quota: bigint; used_quota: bigint; unlimited_quota: boolean;
        model_limits_enabled: boolean; model_limits: string; expired_time: bigint; allow_ips: string; user_status: number }[]
    >`SELECT t.name, t.status, t.remain_quota, t.used_quota, t.unlimited_quota, t.model_limits_enabled,
             t.model_limits, t.expired_time, t.allow_ips, u.status AS user_status
      FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.key_hash = ${hashKeyBody(body)}`;
    const t = rows[0];
    if (!t) return fail(401, "invalid_api_key", "Invalid token", requestId);
    if (t.status === TOKEN_STATUS.disabled) return fail(401, "token_disabled", "This token status is unavailable", requestId);
    assertIpAllowed(compileIpRules(t.allow_ips), ctx.clientIp);
    if (t.user_status !== 1) return fail(403, "user_banned", "User has been banned", requestId);
    const limits = Object.fromEntries(
      t.model_limits.split(",").map((s) => s.trim()).filter(Boolean).map((m) => [m, true]),
    );
    return Response.json(
      {
        code: true,
        message: "ok",
        data: {
          object: "token_usage",
          name: t.name,
          total_granted: quotaToJsonNumber(t.remain_quota + t.used_quota),
          total_used: quotaToJsonNumber(t.used_quota),
          total_available: quotaToJsonNumber(t.remain_quota),
          unlimited_quota: t.unlimited_quota,
          model_limits: limits,
          model_limits_enabled: t.model_limits_enabled,
          expires_at: t.expired_time === -1n ? 0 : Number(t.expired_time),
        },
      },
      { headers: { "x-request-id": requestId } },
    );
  } catch (e) {
    if (isAppError(e)) return fail(e.status, e.code, e.message, requestId);
    console.error(`usage request ${requestId} failed`, e);
    return fail(500, "internal_error", "Internal error", requestId);
  }
}
