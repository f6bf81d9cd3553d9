"use server";
import { z } from "zod";
import { adminAction } from "@/lib/actions";
import { ZText } from "@/lib/text";
import { setOptions } from "./service";

// The admin settings page: one section's options saved at once (all or none), each change an
// audit row naming the admin, every node told after the commit (lib/options/service.ts).
export const saveOptionsAction = adminAction(
  z.strictObject({ values: z.record(ZText.max(128), ZText.max(1_000_000)) }),
  async ({ values }, user) => setOptions(values, { id: user.id, username: user.username }),
);
