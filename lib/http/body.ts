import { AppError } from "@/lib/errors";

// The one JSON body reader of every surface (relay, settlement API, session routes): refused with
// 413 request_too_large above the caller's size limit (checked on Content-Length first, then while
// reading a body of unknown length, so a huge chunked upload is cut off early), 400 when it is not
// a JSON object or nests deeper than MAX_JSON_DEPTH. Nothing is charged for any of them.
//
// The depth cap: JSON.parse takes any depth, but JSON.stringify (the body sent upstream, tools
// counted as text) and any recursive walk overflow the stack a few thousand levels down, which
// was a 500. No OpenAI request nests anywhere near this deep.

export type JsonObject = Record<string, unknown>;

export const MAX_JSON_DEPTH = 128;

export async function readJsonBody(req: Request, maxBytes: number): Promise<{ json: JsonObject; text: string }> {
  const declared = req.headers.get("content-length");
  let text: string;
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
    text = await req.text();
  } else {
    text = await readLimited(req, maxBytes);
  }
  if (text.length === 0) throw new AppError("missing_body", "The request body is empty; send a JSON object", 400);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON", 400);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new AppError("invalid_request_body", "The request body must be a JSON object", 400);
  }
  if (nestedDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new AppError(
      "nesting_too_deep",
      `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      400,
    );
  }
  return { json: json as JsonObject, text };
}

/** Whether arrays and objects in `value` nest deeper than `max` levels (the value itself is level 1); no recursion. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

async function readLimited(req: Request, maxBytes: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const tooLarge = (maxBytes: number) =>
  new AppError("request_too_large", `The request body is larger than the limit of ${maxBytes} bytes`, 413);
