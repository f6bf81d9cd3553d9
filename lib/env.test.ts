import { afterEach, describe, expect, it } from "vitest";
import { env, resetEnvCache } from "./env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

describe("env", () => {
  it("treats an empty variable as unset", () => {
    process.env.DATABASE_URL = "postgresql://x@127.0.0.1/db";
    process.env.REDIS_URL = "";
    resetEnvCache();
    expect(env().REDIS_URL).toBeUndefined();
  });

  it("names the variable that is wrong", () => {
    process.env.DATABASE_URL = "mysql://nope";
    resetEnvCache();
    expect(() => env()).toThrow(/DATABASE_URL/);
  });

  it("trusts no proxy unless TRUSTED_PROXIES says so", () => {
    process.env.DATABASE_URL = "postgresql://x@127.0.0.1/db";
    delete process.env.TRUSTED_PROXIES;
    resetEnvCache();
    expect(env().TRUSTED_PROXIES).toBe("");
  });
});
