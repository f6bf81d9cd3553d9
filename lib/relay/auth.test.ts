import { describe, expect, it } from "vitest";
import { extractKey, splitKey } from "./auth";

const BODY = "a".repeat(24) + "B".repeat(24);

describe("extractKey", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it.each([
    [{ authorization: `Bearer sk-${BODY}` }, "/v1/chat/completions", `sk-${BODY}`],
    [{ authorization: `bearer sk-${BODY}` }, "/v1/chat/completions", `sk-${BODY}`],
    [{ authorization: `sk-${BODY}` }, "/v1/chat/completions", `sk-${BODY}`],
    [{ authorization: "Bearer " }, "/v1/chat/completions", null],
    [{}, "/v1/chat/completions", null],
    // x-api-key only counts on /v1/models
    [{ "x-api-key": "sk-x" }, "/v1/chat/completions", null],
    [{ "x-api-key": "sk-x", authorization: "Bearer sk-y" }, "/v1/models", "sk-x"],
  ])("%j on %s -> %s", (headers, path, expected) => expect(extractKey(h(headers), path)).toBe(expected));
});

describe("splitKey", () => {
  it.each([
    [`sk-${BODY}`, { body: BODY, channelId: null }],
    [BODY, { body: BODY, channelId: null }],
    [`sk-${BODY}-12`, { body: BODY, channelId: 12 }],
    [`sk-${BODY}-x`, { body: null, channelId: null }],
    ["sk-short", { body: null, channelId: null }],
    [`sk-${BODY}!`, { body: null, channelId: null }],
  ])("%s", (raw, expected) => expect(splitKey(raw)).toEqual(expected));
});
