import { describe, expect, it } from "vitest";
import { invalidate } from "@/lib/cache/bus";
import { db } from "@/lib/db";
import { makeKey, makeUser } from "@/tests/factories";
import { findKey } from "./authorize";

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
