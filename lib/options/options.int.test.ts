import { describe, expect, it } from "vitest";
import { getOption, getOptions, setOption } from "./service";

describe("options store", () => {
  it("returns defaults when the table is empty", async () => {
    const o = await getOptions();
    expect(o.QuotaPerUnit).toBe(500_000);
    expect(o.PreConsumeMode).toBe("trust");
  });

  it("validates, stores and serves a change at once", async () => {
    await setOption("QuotaForNewUser", "1000");
    await setOption("PreConsumeMode", "always");
    await setOption("GroupRatio", '{"default":1,"vip":0.8}');
    expect(await getOption("QuotaForNewUser")).toBe(1000);
    expect(await getOption("PreConsumeMode")).toBe("always");
    expect((await getOption("GroupRatio")).vip).toBe(0.8);
  });

  it("refuses bad values and unknown keys without writing", async () => {
    await expect(setOption("QuotaForNewUser", "-5")).rejects.toMatchObject({ code: "invalid_option" });
    await expect(setOption("QuotaForNewUser", "1.5")).rejects.toMatchObject({ code: "invalid_option" });
    await expect(setOption("PreConsumeMode", "sometimes")).rejects.toMatchObject({ code: "invalid_option" });
    await expect(setOption("GroupRatio", '{"vip":-1}')).rejects.toMatchObject({ code: "invalid_option" });
    await expect(setOption("NoSuchOption", "1")).rejects.toMatchObject({ code: "unknown_option" });
    expect(await getOption("PreConsumeMode")).toBe("always");
  });
});
