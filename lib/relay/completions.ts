import { relayRequest, type EndpointSpec, type RelayContext } from "./proxy";
import { inputPromptParts } from "./tokenizer";
import { invalidType, optionalBoolean, optionalCount, optionalObject, requireModel } from "./validate";

const spec: EndpointSpec = {
  path: "/v1/completions",
  parse(body) {
    const model = requireModel(body);
    const p = body.prompt;
    if (p !== undefined && p !== null && typeof p !== "string" && !Array.isArray(p)) {
      throw invalidType("prompt", "a string or an array");
    }
    const stream = optionalBoolean(body, "stream");
    const so = optionalObject(body, "stream_options");
    return {
      model,
      stream,
      wantsUsage: so?.include_usage === true,
      maxTokens: optionalCount(body, "max_tokens"),
      prompt: inputPromptParts(p ?? "", "prompt"),
    };
  },
};

/** POST /v1/completions (legacy) */
export function completions(req: Request, ctx: RelayContext): Promise<Response> {
  return relayRequest(req, ctx, spec);
}
