import { describe, expect, it } from "vitest";
import { UpstreamFailure, sanitizedClientError, upstreamFailureError } from "./upstream";

describe("sanitizedClientError", () => {
  it("passes a harmless upstream message, code and param", () => {
    const e = sanitizedClientError(
      400,
      JSON.stringify({ error: { message: "temperature must be ≤ 2", code: "invalid_value", param: "temperature" } }),
    );
    expect(e).toMatchObject({
      status: 400,
      code: "invalid_value",
      param: "temperature",
      message: "Upstream: temperature must be ≤ 2",
    });
  });

  it.each([
    "Incorrect API key provided: sk-abc***xyz",
    "You exceeded your current quota, please check your plan and billing details.",
    "该令牌额度已用尽 余额不足",
    "Your balance is $3.20",
    "Insufficient credits on account org-1234",
  ])("hides %j", (message) => {
    const e = sanitizedClientError(400, JSON.stringify({ error: { message, code: "insufficient_quota" } }));
    expect(e.message).toBe("The upstream rejected the request (status 400)");
    expect(e.code).toBe("upstream_bad_request");
  });

  it("says nothing of a body that is not JSON", () => {
    expect(sanitizedClientError(404, "<html>sk-secret</html>").message).toBe(
      "The upstream rejected the request (status 404)",
    );
  });
});

describe("upstreamFailureError", () => {
  const f = (status: number | null) => new UpstreamFailure([{ channelId: 1, status, message: "x" }], false);
  it.each([
    [null, 502, "upstream_unavailable"],
    [500, 502, "upstream_error"],
    [503, 503, "upstream_error"],
    [429, 429, "upstream_rate_limited"],
    [401, 502, "upstream_auth_failed"],
  ])("last status %s -> %s %s", (status, http, code) => {
    expect(upstreamFailureError(f(status))).toMatchObject({ status: http, code });
  });
  it("client gone -> 499", () => expect(upstreamFailureError(new UpstreamFailure([], true)).status).toBe(499));
});
