import type { TiktokenBPE } from "js-tiktoken/lite";

// Counting the tokens of a text with a tiktoken encoding, in time linear in its size. js-tiktoken's
// own encode() merges each pre-tokenized piece by rescanning every pair after every merge, which is
// cubic in the piece's length: 8,000 `a`s (one piece) took seconds and a whole-body run froze the
// server. Here the same pieces (the encoding's own regex and special tokens) are merged the same
// way (always the lowest-ranked adjacent pair, the leftmost on a tie) with a heap, so the counts
// are js-tiktoken's (lib/relay/token-count.test.ts compares them) and a piece of n bytes costs
// O(n log n). A piece longer than MAX_PIECE_BYTES (a run no prose has) is estimated from its bytes
// instead. Used on the event loop for short texts and in the counting worker for long ones
// (tokenizer.ts); framework-free and without I/O so it runs in either place.

export type EncodingName = "o200k_base" | "cl100k_base";

/** Pieces (runs the encoding's regex does not split) above this many UTF-8 bytes are estimated. */
export const MAX_PIECE_BYTES = 8 * 1024;
/** The estimate of text that is not encoded: one token per this many UTF-8 bytes (an overestimate for prose). */
export const BYTES_PER_ESTIMATED_TOKEN = 3;

export type Counter = {
  /** token bytes (as a latin1 string, one char per byte) -> rank */
  ranks: Map<string, number>;
  /** the encoding's pre-tokenizer */
  pieces: RegExp;
  /** its special tokens (all allowed: each counts as one token, like encode(text, "all")) */
  special: RegExp | null;
};

export function buildCounter(bpe: TiktokenBPE): Counter {
  const ranks = new Map<string, number>();
  // the format js-tiktoken ships: "<name> <first rank> <base64 token> <base64 token> …" per line
  for (const line of bpe.bpe_ranks.split("\n")) {
    if (!line) continue;
    const fields = line.split(" ");
    const offset = Number.parseInt(fields[1], 10);
    for (let i = 2; i < fields.length; i++)
      ranks.set(Buffer.from(fields[i], "base64").toString("latin1"), offset + i - 2);
  }
  const specials = Object.keys(bpe.special_tokens).map((s) => s.replace(/[\\^$*+?.()|[\]{}]/g, "\\$&"));
  return {
    ranks,
    pieces: new RegExp(bpe.pat_str, "gu"),
    special: specials.length ? new RegExp(specials.join("|"), "g") : null,
  };
}

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / BYTES_PER_ESTIMATED_TOKEN);
}

/** Tokens of `text` as encode(text, "all").length, except that over-long pieces are estimated. */
export function countTokens(c: Counter, text: string): number {
  if (text.length === 0) return 0;
  let count = 0;
  let start = 0;
  if (c.special) {
    const re = c.special;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      count += countOrdinary(c, text.slice(start, m.index)) + 1;
      start = m.index + m[0].length;
    }
  }
  return count + countOrdinary(c, start === 0 ? text : text.slice(start));
}

function countOrdinary(c: Counter, text: string): number {
  let count = 0;
  const re = c.pieces;
  re.lastIndex = 0;
  // the pattern never matches the empty string, so exec always advances
  for (let m = re.exec(text); m !== null; m = re.exec(text)) count += pieceTokens(c.ranks, m[0]);
  return count;
}

const NON_ASCII = /[^\x00-\x7f]/;

function pieceTokens(ranks: Map<string, number>, piece: string): number {
  if (piece.length > MAX_PIECE_BYTES) return estimateTokens(piece);
  const bytes = NON_ASCII.test(piece) ? Buffer.from(piece, "utf8").toString("latin1") : piece;
  if (bytes.length > MAX_PIECE_BYTES) return Math.ceil(bytes.length / BYTES_PER_ESTIMATED_TOKEN);
  // every single byte is a token, and most words are one
  if (bytes.length === 1 || ranks.has(bytes)) return 1;
  return mergedParts(ranks, bytes);
}

/**
 * The number of tokens byte-pair merging leaves of `bytes`: tiktoken merges the adjacent pair whose
 * union has the lowest rank (the leftmost of equal ones) until no union is a token. The pairs wait
 * in a heap ordered by (rank, start); a pair that a merge has changed is skipped when it comes up.
 */
function mergedParts(ranks: Map<string, number>, bytes: string): number {
  const n = bytes.length;
  // the parts are a linked list of start offsets; a part ends where the next one starts
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap = new PairHeap(2 * n);
  for (let i = 0; i + 1 < n; i++) {
    const r = ranks.get(bytes.slice(i, i + 2));
    if (r !== undefined) heap.push(r, i, i + 2);
  }
  let parts = n;
  while (heap.size > 0) {
    const left = heap.topLeft();
    const right = heap.topRight();
    heap.pop();
    if (!alive[left]) continue;
    const mid = next[left];
    // still the same two parts: the left one starts at `left` and the one after it ends at `right`
    if (mid >= n || next[mid] !== right) continue;
    alive[mid] = 0;
    next[left] = right;
    if (right < n) prev[right] = left;
    parts--;
    if (left > 0) {
      const p = prev[left];
      const r = ranks.get(bytes.slice(p, right));
      if (r !== undefined) heap.push(r, p, right);
    }
    if (right < n) {
      const q = next[right];
      const r = ranks.get(bytes.slice(left, q));
      if (r !== undefined) heap.push(r, left, q);
    }
  }
  return parts;
}

/** A binary min-heap of candidate merges keyed by (rank, left start), in typed arrays. */
class PairHeap {
  size = 0;
  private key: Float64Array;
  private right: Int32Array;

  constructor(capacity: number) {
    this.key = new Float64Array(Math.max(capacity, 4));
    this.right = new Int32Array(Math.max(capacity, 4));
  }

  push(rank: number, left: number, right: number): void {
    if (this.size === this.key.length) this.grow();
    // rank < 2^31 and left < MAX_PIECE_BYTES < 2^21: the key stays an exact double
    const k = rank * 2_097_152 + left;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key[parent] <= k) break;
      this.key[i] = this.key[parent];
      this.right[i] = this.right[parent];
      i = parent;
    }
    this.key[i] = k;
    this.right[i] = right;
  }

  topLeft(): number {
    return this.key[0] % 2_097_152;
  }

  topRight(): number {
    return this.right[0];
  }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const k = this.key[last];
    const r = this.right[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.key[child + 1] < this.key[child]) child++;
      if (this.key[child] >= k) break;
      this.key[i] = this.key[child];
      this.right[i] = this.right[child];
      i = child;
    }
    this.key[i] = k;
    this.right[i] = r;
  }

  private grow(): void {
    const key = new Float64Array(this.key.length * 2);
    key.set(this.key);
    const right = new Int32Array(this.right.length * 2);
    right.set(this.right);
    this.key = key;
    this.right = right;
  }
}

const g = globalThis as unknown as { tollgateCounters?: Map<EncodingName, Promise<Counter>> };

/**
 * The counter of an encoding, built once per thread (the server's and the counting worker's each
 * have theirs: globalThis is per thread). A failed build is forgotten, so the next call retries.
 */
export function loadCounter(name: EncodingName): Promise<Counter> {
  const counters = (g.tollgateCounters ??= new Map());
  let p = counters.get(name);
  if (!p) {
    p = (async () => {
      const ranks =
        name === "o200k_base"
          ? (await import("js-tiktoken/ranks/o200k_base")).default
          : (await import("js-tiktoken/ranks/cl100k_base")).default;
      return buildCounter(ranks);
    })();
    p.catch(() => counters.delete(name));
    counters.set(name, p);
  }
  return p;
}
