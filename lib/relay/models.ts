import { getRoutingSnapshot } from "@/lib/channels/routing";
import { getOptions } from "@/lib/options/service";
import { isModelPriced } from "@/lib/quota/pricing";
import { AppError } from "@/lib/errors";
import type { RelayKey } from "./auth";
import { withRelayKey } from "./mount";

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

/** GET /v1/models */
export const listModels = withRelayKey({ path: "/v1/models", method: "GET" }, async ({ auth }) => {
  const models = await usableModels(auth);
  return Response.json({ object: "list", data: models.map(modelObject) });
});

/** GET /v1/models/{id}: the id is the rest of the path, so ids with a slash (openai/gpt-4o) work */
export const retrieveModel = withRelayKey({ path: "/v1/models/{model}", method: "GET" }, async ({ req, auth }) => {
  const id = decodeURIComponent(new URL(req.url).pathname.replace(/^\/v1\/models\//, ""));
  const models = await usableModels(auth);
  if (!models.includes(id))
    throw new AppError(
      "model_not_found",
      `The model ${id} does not exist or you do not have access to it`,
      404,
      undefined,
      "model",
    );
  return Response.json(modelObject(id));
});
