import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

// Which channel made a Responses API response. A stored response lives on the upstream that made
// it, so a follow-up — a request with previous_response_id, GET, DELETE, cancel or input_items of
// /v1/responses/{id} — must reach that channel, from whichever node it arrives at, after a
// restart too: the memory is the response_routes table. It also names the user whose request
// made the response: nobody else may read, delete or continue it through Tollgate (the
// upstream's account is shared by every user of the channel). Rows older than the upstream keeps
// responses (OpenAI: 30 days) are pruned now and then.

const RETENTION_DAYS = 30;
const PRUNE_INTERVAL_MS = 3_600_000;
let lastPrune = 0;

export type ResponseRoute = { channelId: number; userId: number };

/** Remembers the channel of a response id (the first writer wins: an id is made once). */
export async function rememberResponse(responseId: string, channelId: number, userId: number): Promise<void> {
  await db.$executeRaw`INSERT INTO response_routes (response_id, channel_id, user_id)
    VALUES (${responseId}, ${channelId}, ${userId}) ON CONFLICT (response_id) DO NOTHING`;
  const now = Date.now();
  if (now - lastPrune > PRUNE_INTERVAL_MS) {
    lastPrune = now;
    void db.$executeRaw`DELETE FROM response_routes
      WHERE created_at < now() - make_interval(days => ${RETENTION_DAYS})`.catch((e) =>
      console.error("pruning response routes failed", e),
    );
  }
}

/** A response id not made through Tollgate, or made by another user, is not found. */
export async function getResponseRouteOrThrow(
  responseId: string,
  userId: number,
  param: string | null = null,
): Promise<ResponseRoute> {
  const rows = await db.$queryRaw<{ channel_id: number; user_id: number }[]>`
    SELECT channel_id, user_id FROM response_routes WHERE response_id = ${responseId}`;
  const r = rows[0];
  if (!r || r.user_id !== userId) {
    throw new AppError("response_not_found", `No response found with id '${responseId}'`, 404, undefined, param);
  }
  return { channelId: r.channel_id, userId: r.user_id };
}
