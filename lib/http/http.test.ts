import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseJsonBody, parseQuery, withApi } from "./handlers";
import { json } from "./respond";

const ctx = { params: Promise.resolve({ id: "7" }) };
const post = (body: string, type = "application/json") =>
  new Request("http://127.0.0.1/api/x", { method: "POST", body, headers: { "content-type": type } });

describe("withApi", () => {
  it("wraps data in the success envelope and passes params", async () => {
    const GET = withApi<{ id: string }>(async ({ params }) => ({ id: params.id, quota: 5n }));
    const res = await GET(new Request("http://127.0.0.1/api/x"), ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, message: "", data: { id: "7", quota: 5 } });
  });

  it("sends a returned Response as it is", async () => {
    const GET = withApi(async () => json({ status: "ok" }, { status: 503 }));
    const res = await GET(new Request("http://127.0.0.1/api/x"), ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("maps AppError to its status and body, and hides other errors", async () => {
    const notMine = withApi(async () => {
      throw new AppError("insufficient_aff_quota", "Not enough invitation credit", 409);
    });
    const res = await notMine(new Request("http://127.0.0.1/api/x"), ctx);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ success: false, code: "insufficient_aff_quota", message: "Not enough invitation credit" });

    const broken = withApi(async () => {
      throw new Error("connection string postgres://secret@db");
    });
    const spy = console.error;
    console.error = () => {};
    try {
      const res2 = await broken(new Request("http://127.0.0.1/api/x"), ctx);
      expect(res2.status).toBe(500);
      const body = await res2.json();
      expect(body).toEqual({ success: false, code: "internal_error", message: "Internal server error" });
    } finally {
      console.error = spy;
    }
  });
});

describe("json", () => {
  it("writes safe bigints as numbers and larger ones as strings", async () => {
    const res = json({ a: 1n, b: 2n ** 60n, c: -(2n ** 60n) });
    expect(await res.text()).toBe('{"a":1,"b":"1152921504606846976","c":"-1152921504606846976"}');
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("parseJsonBody", () => {
  const Z = z.object({ name: z.string().max(5), amount: z.number().int() });

  it("returns the parsed body", async () => {
    await expect(parseJsonBody(post('{"name":"a","amount":3}'), Z)).resolves.toEqual({ name: "a", amount: 3 });
  });

  it.each([
    ['{"name":"a","amount":3}', "text/plain", 415, "unsupported_media_type"],
    ['{"name":"a",', "application/json", 400, "invalid_json"],
    ['{"name":"toolong","amount":1.5}', "application/json", 400, "validation"],
    ["[]", "application/json; charset=utf-8", 400, "validation"],
  ])("%s (%s) -> %i %s", async (body, type, status, code) => {
    const err = await parseJsonBody(post(body, type), Z).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status, code });
  });

  it("names each bad field", async () => {
    const err = await parseJsonBody(post('{"name":"toolong","amount":1.5}'), Z).catch((e) => e);
    expect(Object.keys(err.fieldErrors).sort()).toEqual(["amount", "name"]);
  });
});

describe("parseQuery", () => {
  it("reads single and repeated values", () => {
    const Z = z.object({ page: z.coerce.number().int().min(1), tag: z.array(z.string()).optional() });
    expect(parseQuery(new Request("http://x/api?page=2&tag=a&tag=b"), Z)).toEqual({ page: 2, tag: ["a", "b"] });
    expect(() => parseQuery(new Request("http://x/api?page=0"), Z)).toThrow(AppError);
  });
});
