import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { MemoryRateLimitStore, setRateLimitStore } from "@/lib/cache/rate-limit";
import { setOption } from "@/lib/options/service";
import { truncateAll } from "@/tests/truncate";
import { registerFromIp } from "./register";

const PASSWORD = "a-good-password";

beforeEach(async () => {
  await truncateAll();
  setRateLimitStore(new MemoryRateLimitStore());
});

describe("registerFromIp", () => {
  it("allows 10 sign-ups per address and hour, refuses the 11th and creates nothing for it", async () => {
    for (let i = 0; i < 10; i++) await registerFromIp({ username: `burst${i}`, password: PASSWORD }, "198.51.100.1");
    await expect(registerFromIp({ username: "burst10", password: PASSWORD }, "198.51.100.1")).rejects.toMatchObject({
      code: "register_rate_limited",
      status: 429,
      message: expect.stringMatching(/60 minutes/),
    });
    expect(await db.user.count({ where: { username: "burst10" } })).toBe(0);
    expect(await db.user.count()).toBe(10);
    // another address is not affected
    await expect(registerFromIp({ username: "other1", password: PASSWORD }, "198.51.100.2")).resolves.toMatchObject({
      username: "other1",
    });
  });

  it("counts a taken name too, so the limit also bounds probing for names", async () => {
    await registerFromIp({ username: "taken", password: PASSWORD }, "198.51.100.3");
    for (let i = 0; i < 9; i++) {
      await expect(registerFromIp({ username: "TAKEN", password: PASSWORD }, "198.51.100.3")).rejects.toMatchObject({
        code: "username_taken",
      });
    }
    await expect(registerFromIp({ username: "fresh", password: PASSWORD }, "198.51.100.3")).rejects.toMatchObject({
      code: "register_rate_limited",
    });
  });

  it("lets only 10 of 15 parallel sign-ups from one address through", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => registerFromIp({ username: `par${i}`, password: PASSWORD }, "198.51.100.4")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
    expect(
      results.filter(
        (r) => r.status === "rejected" && (r.reason as { code?: string }).code === "register_rate_limited",
      ),
    ).toHaveLength(5);
    expect(await db.user.count()).toBe(10);
  });

  it("refuses while registration is closed, without counting", async () => {
    await setOption("RegisterEnabled", "false");
    for (let i = 0; i < 12; i++) {
      await expect(
        registerFromIp({ username: `closed${i}`, password: PASSWORD }, "198.51.100.5"),
      ).rejects.toMatchObject({ code: "registration_disabled" });
    }
    await setOption("RegisterEnabled", "true");
    await expect(registerFromIp({ username: "opened", password: PASSWORD }, "198.51.100.5")).resolves.toMatchObject({
      username: "opened",
    });
  });
});
