import { getRoutingSnapshot } from "@/lib/channels/routing";
import { getOptions } from "@/lib/options/service";
import { isModelPriced } from "@/lib/quota/pricing";
import { authenticateKey, type RelayKey } from "./auth";
import { RelayError, toErrorResponse } from "./errors";
import { newRequestId } from "./ids";
import type { RelayContext } from "./proxy";
import { methodNotAllowed } from "./proxy";

// GET /v1/models: the models this key may use — served by an enabled channel of the key's group,
// on the key's allow-list when it has one, and priced (unless self-use mode is on or the user
// accepts unpriced models). GET /v1/models/{id}: one of them, or 404.

/** a fixed creation time, as new-api reports */
const CREATED = 1626777600;

async function usableModels(auth: RelayKey): Promise<string[]> {
  const [options, snapshot] = await Promise.all([getOptions(), getRoutingSnapshot()]);
  const served = snapshot.modelsByGroup.get(auth.usingGroup) ?? new Set<string>();
  const anyPrice = options.SelfUseModeEnabled || auth.key.user.acceptUnpricedModels;
  const out: string[] = [];
  for (const m of served) {
    if (auth.key.modelLimitsEnabled && !auth.key.modelLimits.has(m)) continue;
    if (!anyPrice && !isModelPriced(options, m)) continue;
    out.push(m);
  }
  return out.sort();
}

const modelObject = (id: string) => ({ id, object: "model", created: CREATED, owned_by: "tollgate" });

export async function listModels(req: Request, ctx: RelayContext): Promise<Response> {
  const requestId = newRequestId();
  try {
    if (req.method !== "GET") throw methodNotAllowed(req.method, "/v1/models");
    const auth = await authenticateKey(req.headers, "/v1/models", ctx.clientIp);
    const models = await usableModels(auth);
    return Response.json({ object: "list", data: models.map(modelObject) }, { headers: { "x-request-id": requestId } });
  } catch (e) {
    return toErrorResponse(e, requestId);
  }
}

export async function retrieveModel(req: Request, ctx: RelayContext, id: string): Promise<Response> {
  const requestId = newRequestId();
  try {
    if (req.method !== "GET") throw methodNotAllowed(req.method, "/v1/models/{model}");
    const auth = await authenticateKey(req.headers, "/v1/models", ctx.clientIp);
    const models = await usableModels(auth);
    if (!models.includes(id)) throw new RelayError(404, "model_not_found", `The model ${id} does not exist or you do not have access to it`, "model");
    return Response.json(modelObject(id), { headers: { "x-request-id": requestId } });
  } catch (e) {
    return toErrorResponse(e, requestId);
  }
}
