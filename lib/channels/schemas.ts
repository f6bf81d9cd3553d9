import { z } from "zod";
import { hasNul, ZText } from "@/lib/text";

export const CHANNEL_STATUS = { enabled: 1, disabled: 2, autoDisabled: 3 } as const;

/** the API an upstream speaks: OpenAI's (chat, completions, embeddings, responses) or Anthropic's (messages) */
export const DIALECTS = ["openai", "anthropic"] as const;
export type Dialect = (typeof DIALECTS)[number];
const ZDialect = z.enum(DIALECTS, { message: "Dialect must be openai or anthropic" });

const ZNameList = z
  .union([z.array(ZText), ZText])
  .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))]);

const ZModelMapping = z.union([ZText, z.record(ZText, z.unknown())]).transform((v, ctx) => {
  let obj: unknown = v;
  if (typeof v === "string") {
    if (v.trim() === "") return {};
    try {
      obj = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "Model mapping must be a JSON object" });
      return z.NEVER;
    }
  }
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
    ctx.addIssue({ code: "custom", message: "Model mapping must be a JSON object" });
    return z.NEVER;
  }
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(obj)) {
    if (
      typeof to !== "string" ||
      !to.trim() ||
      !from.trim() ||
      from.length > 128 ||
      to.length > 128 ||
      hasNul(from) ||
      hasNul(to)
    ) {
      ctx.addIssue({ code: "custom", message: `Model mapping "${from}" must map to a model name` });
      return z.NEVER;
    }
    out[from.trim()] = to.trim();
  }
  return out;
});

/** parsed as the relay will parse it (WHATWG URL), so what is checked is what gets called */
function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

// Syntax only; where the host leads (link-local, metadata, private) is checked after resolution by
// the service (lib/net), which needs DNS and the ChannelPrivateAddressesAllowed option.
const ZBaseUrl = ZText.trim()
  .max(2048, "Base URL is at most 2048 characters")
  .superRefine((text, ctx) => {
    const url = parseUrl(text);
    const problem = !url
      ? "Base URL must be a URL"
      : url.protocol !== "http:" && url.protocol !== "https:"
        ? "Base URL must start with http:// or https://"
        : url.username || url.password
          ? "Base URL must not contain a user name or password"
          : url.search || url.hash || /[?#]/.test(text)
            ? "Base URL must not have a query or fragment"
            : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((u) => u.replace(/\/+$/, ""));

const ZChannelFields = z.object({
  name: ZText.trim().min(1, "Name is required").max(64, "Name is at most 64 characters"),
  baseUrl: ZBaseUrl,
  key: ZText.trim().min(1, "Key is required").max(4096),
  models: ZNameList.refine((m) => m.length > 0, "At least one model is required").refine(
    (m) => m.every((x) => x.length <= 128),
    "Model names are at most 128 characters",
  ),
  groups: ZNameList.default(["default"]).refine((g) => g.length > 0, "At least one group is required"),
  priority: z.coerce.number().int().min(-1_000_000).max(1_000_000).default(0),
  weight: z.coerce.number().int().min(0, "Weight must be ≥ 0").max(1_000_000).default(1),
  modelMapping: ZModelMapping.default({}),
  status: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
  dialect: ZDialect.default("openai"),
});

export const ZCreateChannelInput = ZChannelFields;
export type TCreateChannelInput = z.input<typeof ZCreateChannelInput>;

/** an update may leave the key out (or empty): the stored key is kept */
export const ZUpdateChannelInput = ZChannelFields.partial().extend({
  id: z.number().int().positive(),
  key: ZText.trim().max(4096).optional(),
});
export type TUpdateChannelInput = z.input<typeof ZUpdateChannelInput>;

export const ZChannelStatusInput = z.object({
  id: z.number().int().positive(),
  status: z.union([z.literal(1), z.literal(2)]),
});

export const ZChannelIdsInput = z.object({ ids: z.array(z.number().int().positive()).min(1).max(500) });

export const ZChannelTestInput = z.strictObject({
  id: z.number().int().positive(),
  /** also send a one-token chat completion for this model */
  model: ZText.trim().max(128).nullish(),
});
