import { afterAll, beforeAll } from "vitest";
import { TEST_DATABASE_URL } from "./test-db";

process.env.DATABASE_URL = TEST_DATABASE_URL;
process.env.TOLLGATE_WORKERS = "off";

beforeAll(async () => {
  const { truncateAll } = await import("./truncate");
  await truncateAll();
});

afterAll(async () => {
  const { disconnectDb } = await import("@/lib/db");
  const { closeBus } = await import("@/lib/cache/bus");
  await disconnectDb();
  await closeBus();
});
