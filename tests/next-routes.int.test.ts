import { describe, expect, it } from "vitest";
import * as relayRoute from "@/app/v1/[[...path]]/route";
import * as reserveRoute from "@/app/api/settlement/reserve/route";

// The production server answers /v1 and /api/settlement on its fast path (lib/server/fast-path.ts),
// so the e2e suite never reaches Next's route handlers for them. These are what `npm run dev` and
// any host running Next alone serve: the same handlers, mounted from the same tables.

describe("Next's route handlers of the fast-path surfaces", () => {
  it("/v1: every method mounts the relay's route table", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const)
      expect(relayRoute[method]).toBeTypeOf("function");
    const models = await relayRoute.GET(new Request("http://tollgate.test/v1/models"));
    expect(models.status).toBe(401);
    expect((await models.json()).error.code).toBe("missing_api_key");
    const unknown = await relayRoute.POST(new Request("http://tollgate.test/v1/nope", { method: "POST" }));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("unknown_url");
    const wrongMethod = await relayRoute.DELETE(
      new Request("http://tollgate.test/v1/chat/completions", { method: "DELETE" }),
    );
    expect(wrongMethod.status).toBe(405);
  });

  it("/api/settlement: the route file mounts the same handler as the fast path's table", async () => {
    const res = await reserveRoute.POST(new Request("http://tollgate.test/api/settlement/reserve", { method: "POST" }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ success: false, code: "missing_service_key" });
  });
});
