import { z } from "zod";

/** the transfer form: an amount typed in the admin's display unit (the service converts it exactly) */
export const ZTransferAffForm = z.strictObject({
  amount: z.string().trim().min(1, "Enter an amount").max(64),
});
export type TTransferAffForm = z.input<typeof ZTransferAffForm>;
