import { describe, expect, it } from "vitest";
import { forwardTarget } from "./routes";

describe("forwardTarget", () => {
  it("joins the path below the upstream", () => {
    expect(forwardTarget("http://127.0.0.1:4000/", ["v1", "chat", "completions"])).toBe(
      "http://127.0.0.1:4000/v1/chat/completions",
    );
  });

  it.each([[[".."]], [["v1", "..", "admin"]], [["."]], [["v1", ""]], [["v1%2f.."]], [["a/b"]], [["a\\b"]], [[]]])(
    "refuses %j",
    (segments) => {
      // (Next hands the route decoded segments: %2e%2e arrives as "..", %2f as "/")
      expect(
        forwardTarget(
          "http://127.0.0.1:4000",
          segments.map((s) => s.replace("%2f", "/")),
        ),
      ).toBeNull();
    },
  );
});
