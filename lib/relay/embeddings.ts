import { relayRequest, type EndpointSpec, type RelayContext } from "./proxy";
import { inputPromptParts } from "./tokenizer";
import { invalidType, missing, requireModel } from "./validate";

const spec: EndpointSpec = {
  path: "/v1/embeddings",
  parse(body) {
    const model = requireModel(body);
    const input = body.input;
    if (input === undefined || input === null) throw missing("input");
    if (typeof input !== "string" && !Array.isArray(input)) throw invalidType("input", "a string or an array");
    if (Array.isArray(input) && input.length === 0) throw invalidType("input", "a non-empty array");
    const fmt = body.encoding_format;
    if (fmt !== undefined && fmt !== null && fmt !== "float" && fmt !== "base64") {
      throw invalidType("encoding_format", `"float" or "base64"`);
    }
    // embeddings never stream; a stream flag is passed on and ignored like upstreams do
    return { model, stream: false, wantsUsage: false, maxTokens: null, prompt: inputPromptParts(input, "input") };
  },
};

/** POST /v1/embeddings (float or base64 vectors are passed through untouched) */
export function embeddings(req: Request, ctx: RelayContext): Promise<Response> {
  return relayRequest(req, ctx, spec);
}
