import "server-only";
import { db, type Db } from "@/lib/db";
import { configuredOrigin } from "@/lib/http/public-origin";
import { getOptions } from "@/lib/options/service";
import { displayOf } from "@/lib/quota/money";
import { formatQuota } from "@/lib/quota/money";

/** decimals shown on the dashboard (the exact quota is in `raw`) */
const DASHBOARD_DIGITS = 4;

/** What the dashboard shows: amounts already formatted in the configured display unit. */
export type DashboardDTO = {
  username: string;
  displayName: string;
  group: string;
  balance: string;
  usedQuota: string;
  requestCount: string;
  affCode: string;
  affCount: number;
  affQuota: string;
  affHistoryQuota: string;
  /** raw quota as decimal strings, for components that compare or chart them */
  raw: { quota: string; usedQuota: string; affQuota: string; affHistoryQuota: string };
};

export async function getDashboard(userId: number, client: Db = db): Promise<DashboardDTO | null> {
  const [user, options] = await Promise.all([
    client.user.findUnique({
      where: { id: userId },
      select: {
        username: true,
        displayName: true,
        group: true,
        quota: true,
        usedQuota: true,
        requestCount: true,
        affCode: true,
        affCount: true,
        affQuota: true,
        affHistoryQuota: true,
      },
    }),
    getOptions(),
  ]);
  if (!user) return null;
  const display = displayOf(options);
  return {
    username: user.username,
    displayName: user.displayName || user.username,
    group: user.group,
    balance: formatQuota(user.quota, display, DASHBOARD_DIGITS),
    usedQuota: formatQuota(user.usedQuota, display, DASHBOARD_DIGITS),
    requestCount: user.requestCount.toLocaleString("en-US"),
    affCode: user.affCode,
    affCount: user.affCount,
    affQuota: formatQuota(user.affQuota, display, DASHBOARD_DIGITS),
    affHistoryQuota: formatQuota(user.affHistoryQuota, display, DASHBOARD_DIGITS),
    raw: {
      quota: user.quota.toString(),
      usedQuota: user.usedQuota.toString(),
      affQuota: user.affQuota.toString(),
      affHistoryQuota: user.affHistoryQuota.toString(),
    },
  };
}

/**
 * The public base URL for links users share (invitations): the ServerAddress option when set, else
 * NEXTAUTH_URL's origin. Never the request's Host or X-Forwarded-Host: those say what the client
 * or a proxy claimed, and a link built from them can send invitees to another site.
 */
export async function getPublicOrigin(): Promise<string> {
  const { ServerAddress } = await getOptions();
  return (ServerAddress || configuredOrigin()).replace(/\/+$/, "");
}
