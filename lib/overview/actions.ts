"use server";
import { z } from "zod";
import { adminAction } from "@/lib/actions";
import { getOverview } from "./queries";

/** The admin overview's figures (rollups, and the error logs of the last hour). */
export const overviewAction = adminAction(z.strictObject({}), async () => getOverview());
