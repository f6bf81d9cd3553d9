import { dialectModels, getRoutingSnapshot } from "@/lib/channels/routing";
import type { Dialect } from "@/lib/channels/schemas";
import type { Mount, MountedHandler } from "@/lib/http/mount";
import { getOptions } from "@/lib/options/service";
import { isModelPriced } from "@/lib/quota/pricing";
import { AppError } from "@/lib/errors";
import type { RelayKey } from "./auth";
import { anthropicErrorResponse } from "./errors";
import { withRelayKey } from "./mount";

// GET /v1/models: the models this key may use — served by an enabled channel of the key's group,
// on the key's allow-list when it has one, and priced (unless self-use mode is on or the user
// accepts unpriced models). GET /v1/models/{id}: one of them, or 404. Asked with an
// anthropic-version header (Anthropic's SDKs and Claude Code), both answer in Anthropic's shape,
// with Anthropic's error body, and list the models of Anthropic channels; otherwise OpenAI's
// shape, with the models of OpenAI channels (those each client can call).

/** a fixed creation time, as new-api reports */
const CREATED = 1626777600;

async function usableModels(auth: RelayKey, dialect: Dialect): Promise<string[]> {
  const [options, snapshot] = await Promise.all([getOptions(), getRoutingSnapshot()]);
  const served = dialectModels(snapshot, dialect, auth.usingGroup);
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

/** Anthropic's model object; the creation time is fixed like OpenAI's */
const anthropicModel = (id: string) => ({
  type: "model",
  id,
  display_name: id,
  created_at: new Date(CREATED * 1000).toISOString(),
});

const modelId = (req: Request) => decodeURIComponent(new URL(req.url).pathname.replace(/^\/v1\/models\//, ""));

function notFound(id: string): AppError {
  return new AppError(
    "model_not_found",
    `The model ${id} does not exist or you do not have access to it`,
    404,
    undefined,
    "model",
  );
}

const listOpenAi = withRelayKey({ path: "/v1/models", method: "GET" }, async ({ auth }) => {
  const models = await usableModels(auth, "openai");
  return Response.json({ object: "list", data: models.map(modelObject) });
});

const listAnthropic = withRelayKey(
  { path: "/v1/models", method: "GET", writeError: anthropicErrorResponse },
  async ({ auth }) => {
    const models = await usableModels(auth, "anthropic");
    return Response.json({
      data: models.map(anthropicModel),
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models[models.length - 1] ?? null,
    });
  },
);

/** GET /v1/models/{id}: the id is the rest of the path, so ids with a slash (openai/gpt-4o) work */
const retrieveOpenAi = withRelayKey({ path: "/v1/models/{model}", method: "GET" }, async ({ req, auth }) => {
  const id = modelId(req);
  if (!(await usableModels(auth, "openai")).includes(id)) throw notFound(id);
  return Response.json(modelObject(id));
});

const retrieveAnthropic = withRelayKey(
  { path: "/v1/models/{model}", method: "GET", writeError: anthropicErrorResponse },
  async ({ req, auth }) => {
    const id = modelId(req);
    if (!(await usableModels(auth, "anthropic")).includes(id)) throw notFound(id);
    return Response.json(anthropicModel(id));
  },
);

const byDialect =
  (openai: MountedHandler, anthropic: MountedHandler): MountedHandler =>
  (req: Request, mount: Mount) =>
    req.headers.has("anthropic-version") ? anthropic(req, mount) : openai(req, mount);

/** GET /v1/models */
export const listModels = byDialect(listOpenAi, listAnthropic);
/** GET /v1/models/{id} */
export const retrieveModel = byDialect(retrieveOpenAi, retrieveAnthropic);
