import { RELAY_OWNER } from "@/lib/quota/reserve";
import { canDefer, scheduleSettle } from "@/lib/quota/settle-queue";
import type { Job } from "./job";
import { settleInputFor, type EndReason } from "./metering";
import { rememberResponse } from "./response-routes";
import { SseRelay } from "./sse";
import type { UpstreamAnswer } from "./upstream";
import type { TokenUsage } from "./usage";

// The answer to the client once an upstream has answered: passed on as it is (JSON) or as it
// arrives (SSE), and its settle scheduled — after the response, unless too many settles are
// pending; for a stream when it ends or the client goes away. The endpoint's meter reads the
// usage of its dialect. A Responses API answer's id is remembered with its channel before the
// client has all of the answer, so the follow-up it makes next finds that channel.

// ── non-stream ───────────────────────────────────────────────────────────────────────────────

export async function jsonResponse(job: Job, answer: Extract<UpstreamAnswer, { kind: "json" }>): Promise<Response> {
  const frt = performance.now() - job.startedAt;
  const { meter } = job.spec;
  let usage: TokenUsage | null = null;
  let body: unknown = null;
  try {
    body = JSON.parse(answer.text);
    usage = meter.bodyUsage(body);
  } catch {
    // not JSON: counted locally below
  }
  if (job.spec.remembersResponses) await rememberQuietly(job, answer, meter.bodyId(body));
  const defer = canDefer();
  const settled = scheduleSettle(
    RELAY_OWNER,
    job.reservation?.reservationId ?? null,
    () =>
      settleInputFor(job, answer, {
        usage,
        localTexts: usage ? null : () => meter.bodyTexts(body),
        frt,
        isStream: false,
        endReason: null,
      }),
    `request ${job.requestId}`,
  );
  if (!defer) await settled;
  const headers = new Headers({
    "content-type": answer.contentType ?? "application/json",
    "x-request-id": job.requestId,
  });
  return new Response(answer.text, { status: answer.status, headers });
}

// ── stream ───────────────────────────────────────────────────────────────────────────────────

export function streamResponse(job: Job, answer: Extract<UpstreamAnswer, { kind: "stream" }>): Response {
  const relay = new StreamRelay(job, answer);
  return new Response(relay.body(), {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      "x-request-id": job.requestId,
    },
  });
}

/** One upstream stream passed on to one client: events as they arrive, ended (and settled) once. */
class StreamRelay {
  private readonly sse: SseRelay;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private frt: number | null = null;
  private finished = false;
  /** the write of the response id's channel (Responses API), started when the id is first seen */
  private remembering: Promise<void> | null = null;
  private readonly onClientGone = () => void this.finish("client_disconnect");

  constructor(
    private readonly job: Job,
    private readonly answer: Extract<UpstreamAnswer, { kind: "stream" }>,
  ) {
    this.sse = new SseRelay(false, job.spec.meter.stream(!job.parsed.wantsUsage));
    this.reader = answer.body.getReader();
    job.signal.addEventListener("abort", this.onClientGone, { once: true });
    // gone while the upstream was answering: nobody will ever read (nor cancel) this stream
    if (job.signal.aborted) this.finish("client_disconnect");
  }

  body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: (controller) => this.pull(controller),
      cancel: () => void this.finish("client_disconnect"),
    });
  }

  /** reads until it has events to pass on, or the upstream ends */
  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) return await this.end(controller);
        this.frt ??= performance.now() - this.job.startedAt;
        const events = this.sse.push(value);
        this.rememberOnce();
        if (this.finished) return; // the client left while we were reading
        if (events.length) {
          for (const ev of events) controller.enqueue(ev);
          return;
        }
      }
    } catch {
      // the upstream connection broke (or was aborted because the client left): what was served
      // is settled; the client sees the stream end
      const reason = this.finished ? "client_disconnect" : "upstream_error";
      try {
        controller.close();
      } catch {
        // already closed or cancelled
      }
      void this.finish(reason);
    }
  }

  private async end(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const tail = this.sse.end();
    if (tail && !this.finished) controller.enqueue(tail);
    // bounded post-response work: when too many settles are pending, the stream ends only once
    // its own settle is done
    // the stream ends only once its response id is stored: the client's next call may name it
    this.rememberOnce();
    if (this.remembering) await this.remembering;
    const defer = canDefer();
    const settled = this.finish(this.sse.sawDone ? "done" : "eof_without_done");
    if (!defer && settled) await settled;
    controller.close();
  }

  /** stores the response id with its channel as soon as the stream names it (response.created) */
  private rememberOnce(): void {
    const id = this.sse.meter.responseId;
    if (this.remembering || !id || !this.job.spec.remembersResponses) return;
    this.remembering = rememberQuietly(this.job, this.answer, id);
  }

  /** ends the relay of this stream once; returns its settle */
  private finish(reason: EndReason): Promise<void> | null {
    if (this.finished) return null;
    this.finished = true;
    this.job.signal.removeEventListener("abort", this.onClientGone);
    if (reason === "client_disconnect" || reason === "upstream_error") {
      this.answer.abort();
      this.reader.cancel().catch(() => {});
    }
    const { job, answer, sse } = this;
    return scheduleSettle(
      RELAY_OWNER,
      job.reservation?.reservationId ?? null,
      () =>
        settleInputFor(job, answer, {
          usage: sse.usage,
          partialUsage: sse.meter.partial,
          localTexts: sse.usage ? null : () => sse.generatedTexts(),
          frt: this.frt ?? performance.now() - job.startedAt,
          isStream: true,
          endReason: reason,
        }),
      `request ${job.requestId}`,
    );
  }
}

/** remembers a response's channel; a failure is logged, never the client's (the answer was served) */
async function rememberQuietly(job: Job, answer: UpstreamAnswer, responseId: string | null): Promise<void> {
  if (!responseId) return;
  try {
    await rememberResponse(responseId, answer.channel.id, job.auth.key.userId);
  } catch (e) {
    console.error(`request ${job.requestId}: remembering response ${responseId} failed`, e);
  }
}
