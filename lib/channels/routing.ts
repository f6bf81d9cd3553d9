import "server-only";
import { db } from "@/lib/db";
import { onInvalidate } from "@/lib/cache/bus";
import { CHANNEL_STATUS, type Dialect } from "./schemas";
import { CHANNELS_TOPIC } from "./topics";

// Routing by (dialect, group, model) from an in-process snapshot of the enabled channels, so choosing an
// upstream costs no database round trip. A channel write drops the snapshot on every node (cache
// bus) and the next request loads a new one; otherwise it is refreshed in the background every
// TTL_MS while requests keep using the old one. A request for a (group, model) that no channel
// serves reads the channels again (a snapshot whose query started after the request arrived),
// so a channel created without the bus (another process without Redis, plain SQL) is never
// missed; those reloads are spaced MISS_RELOAD_MS apart, the refused request waiting for the gap,
// so a flood of requests for unknown models costs the database at most a few queries a second.

const TTL_MS = 30_000;
const MISS_RELOAD_MS = 250;

export type RouteChannel = {
  id: number;
  name: string;
  /** without a trailing slash or /v1: the relay appends the request path */
  baseUrl: string;
  key: string;
  priority: number;
  weight: number;
  modelMapping: Readonly<Record<string, string>>;
  dialect: Dialect;
};

type Tier = { priority: number; channels: RouteChannel[] };

export type RoutingSnapshot = {
  /** routeKey(group, model, dialect) -> tiers by descending priority */
  tiers: Map<string, Tier[]>;
  /** every model a group is served, whatever the dialect */
  modelsByGroup: Map<string, Set<string>>;
  /** `${dialect}\0${group}` -> the models channels of that dialect serve the group */
  modelsByDialect: Map<string, Set<string>>;
  byId: Map<number, RouteChannel & { groups: string[]; models: string[] }>;
  /** when the query that built it was sent */
  loadedAt: number;
};

type State = { snapshot?: RoutingSnapshot; loading?: Promise<RoutingSnapshot>; subscribed: boolean };
const g = globalThis as unknown as { tollgateRouting?: State };
const state: State = (g.tollgateRouting ??= { subscribed: false });

function subscribe() {
  if (state.subscribed) return;
  state.subscribed = true;
  onInvalidate(CHANNELS_TOPIC, () => {
    state.snapshot = undefined;
  });
}

// a request is only ever routed to a channel that speaks its dialect: there is no translation
export const routeKey = (group: string, model: string, dialect: Dialect = "openai") =>
  `${dialect}\u0000${group}\u0000${model}`;
const dialectGroupKey = (dialect: Dialect, group: string) => `${dialect}\u0000${group}`;

export function normaliseBaseUrl(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export function buildSnapshot(
  rows: {
    id: number;
    name: string;
    baseUrl: string;
    key: string;
    models: string[];
    groups: string[];
    priority: number;
    weight: number;
    modelMapping: unknown;
    dialect?: string;
  }[],
): RoutingSnapshot {
  const tiers = new Map<string, Tier[]>();
  const modelsByGroup = new Map<string, Set<string>>();
  const modelsByDialect = new Map<string, Set<string>>();
  const byId: RoutingSnapshot["byId"] = new Map();
  for (const r of rows) {
    const mapping =
      r.modelMapping && typeof r.modelMapping === "object" && !Array.isArray(r.modelMapping)
        ? (r.modelMapping as Record<string, string>)
        : {};
    const ch: RouteChannel = {
      id: r.id,
      name: r.name,
      baseUrl: normaliseBaseUrl(r.baseUrl),
      key: r.key,
      priority: r.priority,
      weight: Math.max(0, r.weight),
      modelMapping: mapping,
      dialect: r.dialect === "anthropic" ? "anthropic" : "openai",
    };
    byId.set(r.id, { ...ch, groups: r.groups, models: r.models });
    for (const group of r.groups) {
      let models = modelsByGroup.get(group);
      if (!models) modelsByGroup.set(group, (models = new Set()));
      const dk = dialectGroupKey(ch.dialect, group);
      let dialectModels = modelsByDialect.get(dk);
      if (!dialectModels) modelsByDialect.set(dk, (dialectModels = new Set()));
      for (const model of r.models) {
        models.add(model);
        dialectModels.add(model);
        const k = routeKey(group, model, ch.dialect);
        let list = tiers.get(k);
        if (!list) tiers.set(k, (list = []));
        let tier = list.find((t) => t.priority === ch.priority);
        if (!tier) list.push((tier = { priority: ch.priority, channels: [] }));
        tier.channels.push(ch);
      }
    }
  }
  for (const list of tiers.values()) list.sort((a, b) => b.priority - a.priority);
  return { tiers, modelsByGroup, modelsByDialect, byId, loadedAt: Date.now() };
}

async function load(): Promise<RoutingSnapshot> {
  if (!state.loading) {
    const sentAt = Date.now();
    state.loading = db.channel
      .findMany({
        where: { status: CHANNEL_STATUS.enabled },
        select: {
          id: true,
          name: true,
          baseUrl: true,
          key: true,
          models: true,
          groups: true,
          priority: true,
          weight: true,
          modelMapping: true,
          dialect: true,
        },
        orderBy: { id: "asc" },
      })
      .then((rows) => (state.snapshot = { ...buildSnapshot(rows), loadedAt: sentAt }))
      .finally(() => {
        state.loading = undefined;
      });
  }
  return state.loading;
}

export async function getRoutingSnapshot(): Promise<RoutingSnapshot> {
  subscribe();
  const s = state.snapshot;
  if (!s) return load();
  if (Date.now() - s.loadedAt > TTL_MS) load().catch((e) => console.error("channel routing reload failed", e));
  return s;
}

/** the models channels of a dialect serve a group */
export function dialectModels(snapshot: RoutingSnapshot, dialect: Dialect, group: string): ReadonlySet<string> {
  return snapshot.modelsByDialect.get(dialectGroupKey(dialect, group)) ?? new Set();
}

/**
 * Tiers of the channels of `dialect` serving (group, model); when there are none, the channels are
 * read again first (see above).
 */
export async function routesFor(
  group: string,
  model: string,
  dialect: Dialect = "openai",
): Promise<{ snapshot: RoutingSnapshot; tiers: Tier[] }> {
  const askedAt = Date.now();
  let snapshot = await getRoutingSnapshot();
  let tiers = snapshot.tiers.get(routeKey(group, model, dialect));
  if (!tiers && snapshot.loadedAt < askedAt) {
    const wait = snapshot.loadedAt + MISS_RELOAD_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const latest = state.snapshot;
    snapshot = latest && latest.loadedAt >= askedAt ? latest : await loadAfter(askedAt);
    tiers = snapshot.tiers.get(routeKey(group, model, dialect));
  }
  return { snapshot, tiers: tiers ?? [] };
}

/** a snapshot whose query was sent at or after `t` (joining a load in flight only if it qualifies) */
async function loadAfter(t: number): Promise<RoutingSnapshot> {
  const s = state.loading ? await state.loading.catch(() => undefined) : undefined;
  return s && s.loadedAt >= t ? s : load();
}

/**
 * Highest priority first, weighted random within a priority (weight 0 is chosen only when every
 * channel of the tier has weight 0). Channels already tried are skipped; when every channel has
 * been tried, the choice starts again from the top tier (a retry may reuse a channel).
 */
export function pickChannel(
  tiers: readonly Tier[],
  tried: ReadonlySet<number>,
  random: () => number = Math.random,
): RouteChannel | null {
  for (const tier of tiers) {
    const candidates = tried.size ? tier.channels.filter((c) => !tried.has(c.id)) : tier.channels;
    if (candidates.length) return weightedPick(candidates, random);
  }
  return tiers.length ? weightedPick(tiers[0].channels, random) : null;
}

function weightedPick(channels: readonly RouteChannel[], random: () => number): RouteChannel {
  if (channels.length === 1) return channels[0];
  let total = 0;
  for (const c of channels) total += c.weight;
  if (total <= 0) return channels[Math.floor(random() * channels.length)];
  let r = random() * total;
  for (const c of channels) {
    r -= c.weight;
    if (r < 0) return c;
  }
  return channels[channels.length - 1];
}

/** tests: forget the snapshot */
export function resetRouting(): void {
  state.snapshot = undefined;
}
