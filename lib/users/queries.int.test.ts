import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { setOption } from "@/lib/options/service";
import { truncateAll } from "@/tests/truncate";
import { getPublicOrigin } from "./queries";

const saved = process.env.NEXTAUTH_URL;

afterEach(async () => {
  if (saved === undefined) delete process.env.NEXTAUTH_URL;
  else process.env.NEXTAUTH_URL = saved;
  resetEnvCache();
  await truncateAll();
});

describe("getPublicOrigin (invitation links)", () => {
  it("is NEXTAUTH_URL's origin, or ServerAddress when an admin set it", async () => {
    process.env.NEXTAUTH_URL = "https://portal.example:8443/api/auth";
    resetEnvCache();
    expect(await getPublicOrigin()).toBe("https://portal.example:8443");
    await setOption("ServerAddress", "https://relay.example/tollgate/");
    expect(await getPublicOrigin()).toBe("https://relay.example/tollgate");
  });
});
