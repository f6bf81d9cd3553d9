import "server-only";
import { recordChannelError } from "@/lib/channels/service";
import { pgPool } from "@/lib/db";
import { LOG_TYPE } from "@/lib/quota/row-types";
import type { Job } from "./job";

// A channel that failed a relayed request (an HTTP error the relay retries on, or a network error)
// leaves two traces, as in new-api: the channel's last error (the admin's channel list, at most one
// write per channel per 10 s) and an error log row of the request's user, with no charge (the
// ledger audit reads only the money rows). The row's text says what kind of failure it was and
// never the upstream's own words or address; the admin overview counts these rows per channel.
// Both writes happen beside the request: a failure to record is not the client's failure.

export type FailedJob = Omit<Job, "reservation">;

export function recordRelayFailure(job: FailedJob, channelId: number, message: string): void {
  void recordChannelError(channelId, message).catch(() => {});
  const { key, usingGroup } = job.auth;
  const http = /^HTTP (\d{3})$/.exec(message);
  const content = http ? `Upstream error: HTTP ${http[1]}` : "Upstream unreachable";
  pgPool()
    .query(
      `INSERT INTO logs (user_id, type, content, username, token_name, model_name, channel_id, token_id, "group",
                         request_id, is_stream, use_time, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        key.userId,
        LOG_TYPE.error,
        content,
        key.user.username.slice(0, 32),
        key.name.slice(0, 64),
        job.parsed.model.slice(0, 128),
        channelId,
        key.tokenId,
        usingGroup.slice(0, 64),
        job.requestId.slice(0, 64),
        job.parsed.stream,
        Math.round((performance.now() - job.startedAt) / 1000),
        key.user.recordIpLog ? job.clientIp.slice(0, 64) : "",
      ],
    )
    .catch((e) => console.error("[relay] could not record an error log:", e));
}
