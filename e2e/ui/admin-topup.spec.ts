import { expect, signIn, test, uniqueName } from "./support";

// An admin tops up a user with a reason on the users page; the user then signs in and finds the
// new balance and the entry (operator and reason) in their wallet's history. On the way, the bad
// inputs of the quota dialog are refused with field errors and save nothing; the admin finds the
// change in the audit trail with its filters (kept in the URL).

test("an admin tops up a user with a reason, and that user sees the new balance and the entry in their wallet history", async ({
  page,
  seed,
  pool,
}) => {
  const admin = await seed.createUser({ username: uniqueName("admin"), role: 10 });
  const user = await seed.createUser({ username: uniqueName("buyer"), quota: 1_000_000n }); // $2
  await signIn(page, admin);
  await page.goto(`/admin/users?q=${user.username}`);
  const row = page.getByTestId("users-table").getByTestId("user-row").filter({ hasText: user.username });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("user-balance")).toHaveText("$2.00");
  await row.getByTestId("user-actions").click();
  await page.getByRole("menuitem", { name: "Change balance" }).click();
  const dialog = page.getByRole("dialog", { name: `Change the balance of ${user.username}` });

  // no reason, then a malformed amount: field errors, nothing saved
  await dialog.getByLabel("Amount").fill("12.5");
  await expect(dialog.getByTestId("quota-preview")).toContainText("$14.50");
  await dialog.getByRole("button", { name: "Add to balance" }).click();
  await expect(dialog.getByText("Reason is required.")).toBeVisible();
  await dialog.getByLabel("Reason").fill("Bank transfer 42");
  await dialog.getByLabel("Amount").fill("12.5.0");
  await dialog.getByRole("button", { name: "Add to balance" }).click();
  await expect(dialog.getByLabel("Amount")).toHaveAttribute("aria-invalid", "true");
  expect((await seed.wallet(user.id)).quota).toBe(1_000_000n);

  await dialog.getByLabel("Amount").fill("12.5");
  await dialog.getByRole("button", { name: "Add to balance" }).click();
  await expect(page.getByText(`Balance of ${user.username}: $2.00 → $14.50`)).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId("user-balance")).toHaveText("$14.50");
  expect((await seed.wallet(user.id)).quota).toBe(7_250_000n);
  expect(await seed.audit(user.id)).toEqual([]);
  const audit = await pool.query<{ action: string; operator: string; after: { reason: string } }>(
    "SELECT action, operator, after FROM admin_audits WHERE target_type = 'user' AND target_id = $1",
    [String(user.id)],
  );
  expect(audit.rows).toEqual([
    expect.objectContaining({
      action: "user.quota_add",
      operator: admin.username,
      after: expect.objectContaining({ reason: "Bank transfer 42" }),
    }),
  ]);

  // the audit trail, filtered down to this change: operator, target type and id, then an action
  await page.goto("/admin/audit");
  const filters = page.getByTestId("audit-filters");
  await filters.getByLabel("Operator").fill(admin.username);
  await filters.getByLabel("Target type").click();
  await page.getByRole("option", { name: "User", exact: true }).click();
  await filters.getByLabel("Target ID").fill(String(user.id));
  await filters.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`\\?operator=${admin.username}&targetType=user&targetId=${user.id}$`));
  const rows = page.getByTestId("audit-list").getByTestId("audit-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-action", "user.quota_add");
  await expect(rows.first()).toContainText(`by ${admin.username}`);
  await expect(rows.first()).toContainText("Bank transfer 42");
  await filters.getByLabel("Action").fill("channel.");
  await filters.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(/action=channel\./);
  await expect(page.getByText("No change matches these filters.")).toBeVisible();
  // the filters survive a reload (they are the URL), and clearing them lists the rest of the trail
  await page.reload();
  await expect(filters.getByLabel("Action")).toHaveValue("channel.");
  await expect(page.getByText("No change matches these filters.")).toBeVisible();
  await filters.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(rows.filter({ hasText: "Bank transfer 42" })).toHaveCount(1);

  // the user, in a session of their own
  await page.context().clearCookies();
  await signIn(page, user);
  await page.goto("/wallet");
  await expect(page.getByTestId("wallet-balance")).toHaveText("$14.50");
  const entry = page.getByTestId("credit-history").getByTestId("credit-row").first();
  await expect(entry).toHaveAttribute("data-kind", "admin");
  await expect(entry).toContainText("+$12.50");
  await expect(entry).toContainText(`By ${admin.username}: Bank transfer 42`);
});
