import { AppError } from "@/lib/errors";
import { apiErrorResponse, apiOk } from "@/lib/http/api";
import { readJsonBody, type JsonObject } from "@/lib/http/body";
import { authenticateServiceKey } from "./service-keys";

// The one wrapper of the settlement API, framework-free (a Web Request in, a Web Response out), so
// Next's route handlers only mount it and a plain Node server can serve the same functions. It
// authenticates the service credential, reads the JSON body and writes every answer in the /api
// shape: {success:true,data} or {success:false,code,message}.

const MAX_BODY_BYTES = 64 * 1024;

type ServiceHandler = (body: JsonObject, service: { id: number; name: string }) => Promise<unknown>;

export function withServiceKey(handler: ServiceHandler): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const service = await serviceOf(req);
      const { json } = await readJsonBody(req, MAX_BODY_BYTES);
      return apiOk(await handler(json, service));
    } catch (e) {
      return apiErrorResponse(e);
    }
  };
}

async function serviceOf(req: Request): Promise<{ id: number; name: string }> {
  const secret = (req.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "").trim();
  if (!secret) throw new AppError("missing_service_key", "Send a service credential: Authorization: Bearer tgs_…", 401);
  if (secret.startsWith("sk-")) {
    throw new AppError(
      "service_key_required",
      "An end-user API key cannot use the settlement API; use a service credential",
      401,
    );
  }
  const service = await authenticateServiceKey(secret);
  if (!service) throw new AppError("invalid_service_key", "Unknown or revoked service credential", 401);
  return service;
}
