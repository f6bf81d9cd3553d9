"use server";
import { adminAction } from "@/lib/actions";
import { ZAuditListInput } from "./schemas";
import { listAdminAudits } from "./service";

/** A page of the admin audit trail, newest first, filtered. */
export const listAuditAction = adminAction(ZAuditListInput, async ({ cursor, ...filters }) =>
  listAdminAudits(filters, { cursor: cursor ? BigInt(cursor) : null }),
);
