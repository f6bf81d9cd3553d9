import { describe, expect, it } from "vitest";
import { invalidate } from "@/lib/cache/bus";
import { db } from "@/lib/db";
import { makeKey, makeUser } from "@/tests/factories";
import { authorizeKey, clearKeyCache, findKey } from "./authorize";

describe("key lookup cache", () => {
  it("serves a hit without the database and drops it on invalidation", async () => {
    const u = await makeUser({ quota: 1000n });
    const k = await makeKey(u.id);
    expect((await findKey(k.key))?.status).toBe(1);
    await db.token.update({ where: { id: k.id }, data: { status: 2 } });
    expect((await findKey(k.key))?.status).toBe(1); // cached
    invalidate("key", k.id);
    expect((await findKey(k.key))?.status).toBe(2);
  });

  it("does not cache a load that an invalidation overtook", async () => {
    const u = await makeUser({ quota: 1000n });
    const k = await makeKey(u.id);
    const loading = findKey(k.key); // in flight
    invalidate("key", k.id); // the key changed meanwhile
    expect((await loading)?.status).toBe(1);
    await db.token.update({ where: { id: k.id }, data: { status: 2 } });
    // had the overtaken load been cached, this would still say 1 for up to 30 s
    expect((await findKey(k.key))?.status).toBe(2);
  });
});

describe("last used", () => {
  const accessedAt = async (id: number) => (await db.token.findUniqueOrThrow({ where: { id } })).accessedAt;
  const settled = async (id: number) => {
    // the touch runs off the request's path: wait for it
    for (let i = 0; i < 50 && (await accessedAt(id)) === null; i++) await new Promise((r) => setTimeout(r, 20));
    return accessedAt(id);
  };

  it("is null until the key is used, then set by an authorised call, at most once a minute", async () => {
    clearKeyCache();
    const u = await makeUser({ quota: 1000n });
    const k = await makeKey(u.id);
    expect(await accessedAt(k.id)).toBeNull();
    await authorizeKey(k.key, {});
    const first = await settled(k.id);
    expect(first).toBeInstanceOf(Date);
    await db.token.update({ where: { id: k.id }, data: { accessedAt: new Date(0) } });
    await authorizeKey(k.key, {});
    await new Promise((r) => setTimeout(r, 100));
    // within the minute this node does not write again
    expect((await accessedAt(k.id))?.getTime()).toBe(0);
  });

  it("a refused call does not count as a use", async () => {
    clearKeyCache();
    const u = await makeUser({ quota: 1000n });
    const k = await makeKey(u.id, { allowIps: "10.0.0.1" });
    await expect(authorizeKey(k.key, { clientIp: "192.0.2.1" })).rejects.toMatchObject({ code: "ip_not_allowed" });
    await new Promise((r) => setTimeout(r, 100));
    expect(await accessedAt(k.id)).toBeNull();
  });
});
