import { Redis } from "ioredis";
import { env } from "@/lib/env";

// Cache invalidation across app nodes. Every node keeps small in-process caches (options, key and
// user lookups); a write calls `invalidate(topic, id)`, which clears the local entry at once and,
// when REDIS_URL is set, tells the other nodes through Redis pub/sub. Without Redis a single node
// works alone; caches then also expire by their TTL.

type Listener = (id: string) => void;
const CHANNEL = "tollgate:invalidate";

type Bus = { listeners: Map<string, Set<Listener>>; pub?: Redis; sub?: Redis; started: boolean };
const g = globalThis as unknown as { tollgateBus?: Bus };
const bus: Bus = (g.tollgateBus ??= { listeners: new Map(), started: false });

function deliver(topic: string, id: string) {
  for (const l of bus.listeners.get(topic) ?? []) l(id);
}

function start() {
  if (bus.started) return;
  bus.started = true;
  const url = env().REDIS_URL;
  if (!url) return;
  bus.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  bus.sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  bus.pub.on("error", () => {});
  bus.sub.on("error", () => {});
  // subscribe on every (re)connection: ioredis only re-subscribes channels whose first subscribe
  // succeeded, and that one fails when Redis is down at start (caught: an unhandled rejection
  // would kill the process)
  const sub = bus.sub;
  sub.on("ready", () => sub.subscribe(CHANNEL).catch(() => {}));
  bus.sub.on("message", (_channel: string, message: string) => {
    const sep = message.indexOf(":");
    if (sep > 0) deliver(message.slice(0, sep), message.slice(sep + 1));
  });
}

export function onInvalidate(topic: string, listener: Listener): void {
  start();
  let set = bus.listeners.get(topic);
  if (!set) bus.listeners.set(topic, (set = new Set()));
  set.add(listener);
}

export function invalidate(topic: string, id: string | number = "*"): void {
  start();
  deliver(topic, String(id));
  bus.pub?.publish(CHANNEL, `${topic}:${id}`).catch(() => {});
}

export async function closeBus(): Promise<void> {
  const { pub, sub } = bus;
  bus.pub = bus.sub = undefined;
  bus.started = false;
  await Promise.all([pub?.quit().catch(() => {}), sub?.quit().catch(() => {})]);
}

/** how long `invalidateEverywhere` waits for Redis before giving up (the caches' TTL still applies) */
const PUBLISH_WAIT_MS = 2_000;

/**
 * `invalidate`, resolved once Redis has taken the message, which it hands to every subscribed node
 * before answering: for a change that must hold on the very next request on any node (a disabled
 * user's keys). Without Redis, or when it does not answer in time, the local entry is gone and the
 * other nodes' copies expire by their TTL.
 */
export async function invalidateEverywhere(topic: string, id: string | number = "*"): Promise<void> {
  start();
  deliver(topic, String(id));
  if (!bus.pub) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    bus.pub.publish(CHANNEL, `${topic}:${id}`).catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, PUBLISH_WAIT_MS))),
  ]);
  clearTimeout(timer);
}
