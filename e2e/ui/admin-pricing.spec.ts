import { MockUpstream } from "../support/mock-upstream";
import { openai } from "../support/relay-client";
import { QUOTA_PER_USD } from "../support/seed";
import { expect, signIn, test, uniqueName } from "./support";

// An admin prices a new model on the settings page: a typo is pointed at its line and saves
// nothing; the preview prices the unsaved JSON with the billing core's functions; after the save,
// a relay call through the official client is charged at the new ratio, at once.

test("an admin changes a model ratio with the preview and a relay call is charged at the new ratio", async ({
  page,
  seed,
}) => {
  const model = uniqueName("e2e-ratio").toLowerCase();
  const mock = await MockUpstream.start();
  try {
    await seed.createChannel({ name: uniqueName("ratio"), baseUrl: `${mock.url}/v1`, models: [model] });
    const admin = await seed.createUser({ role: 10 });
    const user = await seed.createUser({ quota: 20n * QUOTA_PER_USD });
    const key = await seed.createKey(user.id);
    const client = openai(key.key);
    const ask = () => client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

    // unpriced: refused
    await expect(ask()).rejects.toMatchObject({ status: 400, code: "model_price_error" });

    await signIn(page, admin);
    await page.goto("/admin/settings");
    const pricing = page.getByTestId("settings-pricing");
    const editor = pricing.getByLabel("Model ratio", { exact: true });
    const original = await editor.inputValue();
    const ratios = JSON.parse(original) as Record<string, number>;

    // a trailing comma: the error names the line, nothing is saved
    const broken = JSON.stringify({ ...ratios, [model]: 2 }, null, 2).replace(/\n}$/, ",\n}");
    const lastLine = broken.split("\n").length;
    await editor.fill(broken);
    await expect(pricing.getByTestId("pricing-preview-result")).toHaveText("Fix the JSON to see a price.");
    await pricing.getByRole("button", { name: "Save" }).click();
    await expect(pricing.getByText(new RegExp(`^Line ${lastLine}: `))).toBeVisible();
    await expect(ask()).rejects.toMatchObject({ code: "model_price_error" });

    // a negative ratio: its own line
    const negative = JSON.stringify({ [model]: -2, ...ratios }, null, 2);
    await editor.fill(negative);
    await pricing.getByRole("button", { name: "Save" }).click();
    await expect(pricing.getByText(`Line 2: ${model} must be ≥ 0`)).toBeVisible();

    // the preview, from the unsaved text: (1M + 1M × completion ratio 1) × 2 × group 1
    await editor.fill(JSON.stringify({ ...ratios, [model]: 2 }, null, 2));
    const preview = page.getByTestId("pricing-preview");
    await preview.getByLabel("Model", { exact: true }).fill(model);
    await expect(preview.getByTestId("pricing-preview-result")).toHaveText(
      `1M input + 1M output tokens of ${model} for a user of group default with a key of group default costs 4,000,000 quota = $8.00.`,
    );
    await pricing.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();

    // the mock reports 17 prompt + 6 completion tokens: (17 + 6) × 2 = 46 quota, at once
    const { data, response } = await ask().withResponse();
    expect(data.choices[0].message.content).toBe("Hello from the mock upstream.");
    const charged = await seed.finished(response.headers.get("x-request-id")!);
    expect(charged.log?.quota).toBe(46n);
    expect(charged.log?.other).toMatchObject({ model_ratio: 2, completion_ratio: 1, group_ratio: 1 });
    expect((await seed.wallet(user.id)).quota).toBe(20n * QUOTA_PER_USD - 46n);
    expect(await seed.audit(user.id)).toEqual([]);

    // the change is in the audit trail, by the admin
    const { rows } = await seed.pool.query<{ operator: string; after: Record<string, Record<string, number>> }>(
      "SELECT operator, after FROM admin_audits WHERE action = 'option.update' AND target_id = 'ModelRatio' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0].operator).toBe(admin.username);
    expect(rows[0].after.ModelRatio[model]).toBe(2);
  } finally {
    await mock.close();
  }
});
