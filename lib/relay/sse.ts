import { chatMeter, type StreamMeter } from "./meters";
import type { TokenUsage } from "./usage";

// Server-sent events from the upstream, relayed to the client byte for byte. The stream is cut
// into whole events (an event ends at a blank line: LF LF, CR CR or CRLF CRLF) so that one event
// can be left out — the usage chunk, when the client did not ask for it — and each event's data is
// handed to the dialect's StreamMeter (lib/relay/meters.ts: its usage, its end event) and kept,
// so the generated text can be counted later if the upstream never sends usage. The meters parse
// an event as JSON only when it carries what they look for; the rest is parsed lazily, at the
// end, if needed.

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder("utf-8");

export class SseRelay {
  readonly meter: StreamMeter;
  /** the data of every event forwarded, in order (without [DONE]) */
  readonly data: string[] = [];
  events = 0;
  private pending: Uint8Array | null = null;
  /** where scanning resumes in `pending` and where the current line starts */
  private scan = 0;
  private lineStart = 0;

  /** `meter`: the dialect's (chat's by default, which leaves out the usage chunk when `dropUsageChunk`) */
  constructor(dropUsageChunk: boolean, meter?: StreamMeter) {
    this.meter = meter ?? chatMeter.stream(dropUsageChunk);
  }

  /** the usage the upstream reported in full, if it did */
  get usage(): TokenUsage | null {
    return this.meter.usage;
  }

  /** the stream's end event was seen ([DONE], message_stop, response.completed …) */
  get sawDone(): boolean {
    return this.meter.ended;
  }

  /** Takes upstream bytes; returns the complete events to forward, unchanged (adjacent ones joined). */
  push(chunk: Uint8Array): Uint8Array[] {
    let buf: Uint8Array;
    if (this.pending && this.pending.byteLength) {
      buf = new Uint8Array(this.pending.byteLength + chunk.byteLength);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.byteLength);
    } else {
      buf = chunk;
    }
    const out: Uint8Array[] = [];
    let eventStart = 0;
    let runStart = -1;
    let runEnd = -1;
    let i = this.scan;
    let lineStart = this.lineStart;
    while (i < buf.length) {
      const b = buf[i];
      if (b !== LF && b !== CR) {
        i++;
        continue;
      }
      let end: number;
      if (b === CR) {
        if (i + 1 >= buf.length) break; // CR at the end: wait to see whether LF follows
        end = buf[i + 1] === LF ? i + 2 : i + 1;
      } else {
        end = i + 1;
      }
      if (i === lineStart) {
        // a blank line: the event is complete; events forwarded back to back go out as one
        // slice of the input (one write to the client instead of one per event)
        const ev = buf.subarray(eventStart, end);
        if (this.take(ev)) {
          if (runEnd === eventStart && out.length) out[out.length - 1] = buf.subarray(runStart, end);
          else {
            out.push(ev);
            runStart = eventStart;
          }
          runEnd = end;
        }
        eventStart = end;
      }
      lineStart = end;
      i = end;
    }
    this.pending = eventStart < buf.length ? buf.subarray(eventStart) : null;
    this.scan = i - eventStart;
    this.lineStart = lineStart - eventStart;
    return out;
  }

  /** The bytes of an unterminated last event (forwarded as they are), after it was looked at. */
  end(): Uint8Array | null {
    const rest = this.pending;
    this.pending = null;
    this.scan = this.lineStart = 0;
    if (!rest || rest.byteLength === 0) return null;
    return this.take(rest) ? rest : null;
  }

  /** looks at one event; false when it must not be forwarded */
  private take(ev: Uint8Array): boolean {
    const text = decoder.decode(ev);
    const data = dataOf(text);
    if (data === null) return true; // a comment or a field-only event: forward as is
    this.events++;
    if (!this.meter.take(data)) return false;
    if (!this.meter.ended || data.trim() !== "[DONE]") this.data.push(data);
    return true;
  }

  /** The generated text of the events seen so far (for local counting). */
  generatedTexts(): string[] {
    return this.meter.texts(this.data);
  }
}

/** the `data` field of an event (lines joined by LF), or null when it has none */
export function dataOf(event: string): string | null {
  let data: string | null = null;
  for (const raw of event.split(/\r\n|\r|\n/)) {
    if (!raw.startsWith("data:")) continue;
    const v = raw.charCodeAt(5) === 32 ? raw.slice(6) : raw.slice(5);
    data = data === null ? v : `${data}\n${v}`;
  }
  return data;
}
