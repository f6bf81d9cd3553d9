import { AppError, isAppError, validationError } from "@/lib/errors";
import { authenticateServiceKey } from "./service-keys";

// The HTTP edge of the settlement API, framework-free: a Web Request in, a Web Response out, so
// Next's route handlers only mount it and a plain Node server could serve the same functions.
// Every answer is JSON: {success:true,data} or {success:false,code,message}.

const MAX_BODY_BYTES = 64 * 1024;

const bigintSafe = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body, bigintSafe), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

export function errorResponse(status: number, code: string, message: string): Response {
  return jsonResponse(status, { success: false, code, message });
}

type ServiceHandler = (body: unknown, service: { id: number; name: string }) => Promise<unknown>;

/** Authenticates the service credential, parses the JSON body, maps errors to their status. */
export function withServiceKey(handler: ServiceHandler): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const auth = req.headers.get("authorization") ?? "";
      const secret = auth.replace(/^Bearer\s+/i, "").trim();
      if (!secret) throw new AppError("missing_service_key", "Send a service credential: Authorization: Bearer tgs_…", 401);
      if (secret.startsWith("sk-")) {
        throw new AppError("service_key_required", "An end-user API key cannot use the settlement API; use a service credential", 401);
      }
      const service = await authenticateServiceKey(secret);
      if (!service) throw new AppError("invalid_service_key", "Unknown or revoked service credential", 401);
      const text = await req.text();
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new AppError("body_too_large", "The request body is too large", 413);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AppError("invalid_json", "The request body is not valid JSON", 400);
      }
      return jsonResponse(200, { success: true, data: await handler(body, service) });
    } catch (e) {
      return toErrorResponse(e);
    }
  };
}

/** AppError, or any error that carries {status, code} (the relay's RelayError), keeps its status. */
export function toErrorResponse(e: unknown): Response {
  if (isAppError(e)) return errorResponse(e.status, e.code, e.message);
  if (e && typeof e === "object" && "status" in e && "code" in e && typeof e.status === "number" && typeof e.code === "string") {
    return errorResponse(e.status, e.code, (e as { message?: string }).message ?? e.code);
  }
  console.error("settlement API failed", e);
  return errorResponse(500, "internal_error", "Internal error");
}

export function parseBody<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } } }, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw validationError(r.error.issues);
  return r.data;
}
