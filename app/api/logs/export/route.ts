import { withSession } from "@/lib/auth/route";
import { getLocale } from "@/lib/i18n/server";
import { exportLogsResponse } from "@/lib/logs/export";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = withSession(async (req, user) => exportLogsResponse(req, user, await getLocale()));
