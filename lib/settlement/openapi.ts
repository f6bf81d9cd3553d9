import { z } from "zod";
import { ZRefundBody, ZRenewBody, ZReserveBody, ZSettleBody } from "./schemas";

// GET /api/settlement/openapi.json. Request bodies come from the same zod schemas the handlers
// validate with, so the document cannot drift from the code.

const body = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

const envelope = (data: Record<string, unknown>) => ({
  type: "object",
  required: ["success", "data"],
  properties: { success: { const: true }, data: { type: "object", properties: data } },
});

const errorResponse = {
  description: "Error",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["success", "code", "message"],
        properties: { success: { const: false }, code: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};

const errors = (codes: Record<string, string>) =>
  Object.fromEntries(Object.entries(codes).map(([status, text]) => [status, { ...errorResponse, description: text }]));

const common = {
  ...errors({
    "400": "validation, invalid_json, model_price_error",
    "401": "missing_service_key, service_key_required (an sk- key was sent), invalid_service_key",
  }),
};

export function settlementOpenApi() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Tollgate settlement API",
      version: "1",
      description:
        "Accounting for relays that run elsewhere: reserve quota before calling an upstream, settle with the real usage, " +
        "or refund. A request_id belongs to the credential that reserved it: replaying a call with it returns the first " +
        "result and charges nothing more; the same request_id with another key, user or model is a 409 request_id_conflict; " +
        "a credential settles and refunds only its own reservations. A hold expires after ReservationTtlSeconds (120 s by " +
        "default) and is then returned; a settle that arrives later still charges the real usage, a refund makes it final. " +
        "Amounts are integers in quota (QuotaPerUnit quota = 1 USD).",
    },
    components: {
      securitySchemes: {
        serviceKey: {
          type: "http",
          scheme: "bearer",
          description: "A service credential (tgs_…) from `npm run tollgate -- service-key:create`",
        },
      },
    },
    security: [{ serviceKey: [] }],
    paths: {
      "/api/settlement/reserve": {
        post: {
          summary: "Check an end user's key and hold the pre-charge estimate",
          requestBody: { required: true, content: { "application/json": { schema: body(ZReserveBody) } } },
          responses: {
            "200": {
              description: "Reserved (or the first reservation of this request_id)",
              content: {
                "application/json": {
                  schema: envelope({
                    reservation_id: { type: "string" },
                    request_id: { type: "string" },
                    held_quota: { type: "integer" },
                    estimate: { type: "integer" },
                    trusted: { type: "boolean", description: "true when no hold was needed (trust mode)" },
                    expires_at: { type: "string", format: "date-time" },
                    replayed: { type: "boolean" },
                  }),
                },
              },
            },
            ...common,
            ...errors({
              "401":
                "invalid_api_key, token_disabled, token_expired, token_exhausted (the end user's key), or a service credential problem",
              "403":
                "insufficient_user_quota, pre_consume_token_quota_failed, ip_not_allowed, user_banned, group_not_usable, model_not_allowed",
              "409": "request_id_conflict: this credential used the request_id for another key, user or model",
            }),
          },
        },
      },
      "/api/settlement/settle": {
        post: {
          summary: "Charge the real usage of a reservation",
          requestBody: { required: true, content: { "application/json": { schema: body(ZSettleBody) } } },
          responses: {
            "200": {
              description: "Settled (or the first settlement of this reservation)",
              content: {
                "application/json": {
                  schema: envelope({
                    reservation_id: { type: "string" },
                    charged_quota: { type: "integer" },
                    log_id: { type: "string" },
                    replayed: { type: "boolean" },
                  }),
                },
              },
            },
            ...common,
            ...errors({ "404": "reservation_not_found", "409": "reservation_refunded" }),
          },
        },
      },
      "/api/settlement/renew": {
        post: {
          summary: "Renew the lease of a reservation still being worked on (ReservationTtlSeconds more)",
          requestBody: { required: true, content: { "application/json": { schema: body(ZRenewBody) } } },
          responses: {
            "200": {
              description: "Renewed: the new expiry",
              content: {
                "application/json": {
                  schema: envelope({
                    reservation_id: { type: "string" },
                    expires_at: { type: "string", format: "date-time" },
                  }),
                },
              },
            },
            ...common,
            ...errors({ "404": "reservation_not_found", "409": "reservation_closed (settled, refunded or expired)" }),
          },
        },
      },
      "/api/settlement/refund": {
        post: {
          summary: "Return a reservation's hold",
          requestBody: { required: true, content: { "application/json": { schema: body(ZRefundBody) } } },
          responses: {
            "200": {
              description: "Refunded (or already refunded or expired: nothing returned twice)",
              content: {
                "application/json": {
                  schema: envelope({
                    reservation_id: { type: "string" },
                    returned_quota: { type: "integer" },
                    replayed: { type: "boolean" },
                  }),
                },
              },
            },
            ...common,
            ...errors({ "404": "reservation_not_found", "409": "reservation_settled" }),
          },
        },
      },
    },
  };
}
