import { describe, expect, it } from "vitest";
import { buildSnapshot, dialectModels, normaliseBaseUrl, pickChannel, routeKey } from "./routing";

const row = (
  id: number,
  priority: number,
  weight: number,
  extra: Partial<{ groups: string[]; models: string[]; dialect: string }> = {},
) => ({
  id,
  name: `c${id}`,
  baseUrl: "http://127.0.0.1:1/v1/",
  key: "k",
  models: extra.models ?? ["m"],
  groups: extra.groups ?? ["default"],
  priority,
  weight,
  modelMapping: {},
  dialect: extra.dialect,
});

/** deterministic PRNG (mulberry32) so the distribution test is repeatable */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("channel selection", () => {
  const snap = buildSnapshot([row(1, 10, 1), row(2, 10, 3), row(3, 0, 100), row(4, 5, 1, { groups: ["vip"] })]);
  const tiers = snap.tiers.get(routeKey("default", "m"))!;

  it("indexes by group and model, highest priority first", () => {
    expect(tiers.map((t) => t.priority)).toEqual([10, 0]);
    expect(snap.tiers.get(routeKey("vip", "m"))!.map((t) => t.channels.map((c) => c.id))).toEqual([[4]]);
    expect(snap.modelsByGroup.get("vip")).toEqual(new Set(["m"]));
    expect(snap.tiers.get(routeKey("default", "other"))).toBeUndefined();
  });

  it("picks within the top priority in proportion to weight", () => {
    const random = rng(42);
    const counts = new Map<number, number>();
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const c = pickChannel(tiers, new Set(), random)!;
      counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
    }
    expect(counts.get(3)).toBeUndefined(); // lower priority never chosen while the top tier is available
    const share2 = counts.get(2)! / N;
    expect(share2).toBeGreaterThan(0.73);
    expect(share2).toBeLessThan(0.77);
  });

  it("skips channels already tried, falls to the next priority, then starts over", () => {
    expect(pickChannel(tiers, new Set([1]))!.id).toBe(2);
    expect(pickChannel(tiers, new Set([1, 2]))!.id).toBe(3);
    expect([1, 2]).toContain(pickChannel(tiers, new Set([1, 2, 3]))!.id);
    expect(pickChannel([], new Set())).toBeNull();
  });

  it("weight 0 is chosen only when nothing else is left", () => {
    const t = buildSnapshot([row(1, 0, 0), row(2, 0, 1)]).tiers.get(routeKey("default", "m"))!;
    for (let i = 0; i < 200; i++) expect(pickChannel(t, new Set())!.id).toBe(2);
    expect(pickChannel(t, new Set([2]))!.id).toBe(1);
    const zeros = buildSnapshot([row(1, 0, 0), row(2, 0, 0)]).tiers.get(routeKey("default", "m"))!;
    expect([1, 2]).toContain(pickChannel(zeros, new Set())!.id);
  });

  it.each([
    ["http://h:1", "http://h:1"],
    ["http://h:1/", "http://h:1"],
    ["http://h:1/v1", "http://h:1"],
    ["http://h:1/v1/", "http://h:1"],
    ["https://h/proxy/v1", "https://h/proxy"],
  ])("base URL %s -> %s", (url, expected) => expect(normaliseBaseUrl(url)).toBe(expected));
});

describe("dialects", () => {
  it("routes a request only to channels of its own dialect", () => {
    const snap = buildSnapshot([
      row(1, 10, 1, { models: ["claude-x", "gpt-x"] }),
      row(2, 0, 1, { models: ["claude-x"], dialect: "anthropic" }),
    ]);
    expect(
      snap.tiers.get(routeKey("default", "claude-x", "anthropic"))!.map((t) => t.channels.map((c) => c.id)),
    ).toEqual([[2]]);
    expect(snap.tiers.get(routeKey("default", "claude-x", "openai"))!.map((t) => t.channels.map((c) => c.id))).toEqual([
      [1],
    ]);
    expect(snap.tiers.get(routeKey("default", "gpt-x", "anthropic"))).toBeUndefined();
    expect(snap.byId.get(2)!.dialect).toBe("anthropic");
    // a channel saved before dialects existed, or with an unknown value, speaks OpenAI
    expect(snap.byId.get(1)!.dialect).toBe("openai");
    expect(dialectModels(snap, "anthropic", "default")).toEqual(new Set(["claude-x"]));
    expect(dialectModels(snap, "openai", "default")).toEqual(new Set(["claude-x", "gpt-x"]));
    expect(snap.modelsByGroup.get("default")).toEqual(new Set(["claude-x", "gpt-x"]));
  });
});
