import "server-only";
import { translatedError, validationError } from "@/lib/errors";
import { getOptions } from "@/lib/options/service";
import { transferAffQuota } from "@/lib/quota/credits";
import { displayOf } from "@/lib/quota/money";
import { formatQuota, parseAmount } from "@/lib/quota/money";
import { MAX_QUOTA } from "@/lib/quota/schemas";
import { ZTransferAffForm, type TTransferAffForm } from "./schemas";

export type AffTransferResult = { moved: string; amount: string; quota: string; affQuota: string };

/**
 * The wallet's transfer form: the amount typed in the display unit becomes quota exactly, then
 * lib/quota moves it (minimum QuotaPerUnit, one conditional UPDATE, one log row).
 */
export async function transferAffFromForm(userId: number, form: TTransferAffForm): Promise<AffTransferResult> {
  const parsed = ZTransferAffForm.safeParse(form);
  if (!parsed.success) throw validationError(parsed.error.issues);
  const o = await getOptions();
  const display = displayOf(o);
  const amount = parseAmount(parsed.data.amount, display, MAX_QUOTA);
  if (!amount.ok) {
    const key =
      amount.reason === "negative"
        ? "keys.error.amountNegative"
        : display.type === "TOKENS"
          ? "keys.error.amountFormatTokens"
          : "keys.error.amountFormat";
    throw translatedError("validation", "Not a valid amount", 400, { key, field: "amount" });
  }
  if (amount.quota < BigInt(o.QuotaPerUnit)) {
    const min = formatQuota(BigInt(o.QuotaPerUnit), display);
    throw translatedError("aff_transfer_too_small", `The minimum transfer is ${min}`, 400, {
      key: "wallet.transfer.tooSmall",
      vars: { min },
      field: "amount",
    });
  }
  const r = await transferAffQuota(userId, amount.quota);
  return {
    moved: amount.quota.toString(),
    amount: formatQuota(amount.quota, display),
    quota: r.quota.toString(),
    affQuota: r.affQuota.toString(),
  };
}
