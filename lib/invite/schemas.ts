import { z } from "zod";
import { ZAmountText } from "@/lib/keys/schemas";

/** the transfer form: an amount typed in the admin's display unit (the service converts it exactly) */
export const ZTransferAffForm = z.strictObject({
  amount: ZAmountText.pipe(z.string().min(1, "Enter an amount")),
});
export type TTransferAffForm = z.input<typeof ZTransferAffForm>;
