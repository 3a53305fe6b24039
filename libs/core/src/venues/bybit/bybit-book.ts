/**
 * Continuity of Bybit order books (docs: v5 websocket orderbook, "Process snapshot/delta"):
 * - after a subscribe the first message is a `snapshot`, then `delta`s;
 * - any new `snapshot` resets the book (level 1 re-sends one every 3 s without a change, with the
 *   same `u`; level 1 of spot/linear sends snapshots only);
 * - `u == 1` is a snapshot "due to the restart of the service": overwrite the local book;
 * - the docs do not say that `u` rises by exactly one per delta, so only what they do imply is
 *   checked: a delta moves `u` forward. A delta that does not, or a book message whose shape
 *   cannot be read, is a doubt, and a doubt resubscribes (a fresh snapshot) rather than pass on
 *   a book that may be broken.
 */

/** What one book message says about continuity. */
export type BybitBookMark = { snapshot: boolean; u: number } | { invalid: true };

export type BybitBookVerdict =
  /** Deliver; `u` is the new last update id. */
  | { kind: 'deliver'; u: number }
  /** A delta before this subscription's snapshot: it chains to nothing, drop it. */
  | { kind: 'skip' }
  /** Out of order, repeated, or unreadable: resubscribe and deliver nothing until the new snapshot. */
  | { kind: 'doubt'; lastU: number | undefined; gotU: number | undefined };

interface BookMessage {
  type?: unknown;
  data?: { u?: unknown } | null;
}

/** Reads `type` and `data.u` of one `orderbook.*` message without copying it. */
export function bybitBookMark(message: unknown): BybitBookMark {
  if (typeof message !== 'object' || message === null) return { invalid: true };
  const { type, data } = message as BookMessage;
  const u = typeof data === 'object' && data !== null ? data.u : undefined;
  if (typeof u !== 'number' || !Number.isSafeInteger(u) || u < 1) return { invalid: true };
  if (type === 'snapshot' || u === 1) return { snapshot: true, u };
  if (type === 'delta') return { snapshot: false, u };
  return { invalid: true };
}

/** The verdict on one message, given the last delivered `u` of this subscription (undefined before its snapshot). */
export function checkBybitBook(lastU: number | undefined, mark: BybitBookMark): BybitBookVerdict {
  if ('invalid' in mark) return { kind: 'doubt', lastU, gotU: undefined };
  if (mark.snapshot) return { kind: 'deliver', u: mark.u };
  if (lastU === undefined) return { kind: 'skip' };
  if (mark.u > lastU) return { kind: 'deliver', u: mark.u };
  return { kind: 'doubt', lastU, gotU: mark.u };
}

/**
 * A `u == 1` message is a restart snapshot whatever its `type` says; a consumer applying it as a
 * delta would merge a fresh book into a stale one. The parsed frame is ours (nobody else holds it
 * yet), so the type is corrected in place rather than copied on the hot path.
 */
export function markRestartSnapshot(message: unknown): void {
  if (typeof message !== 'object' || message === null) return;
  const book = message as BookMessage;
  if (book.type === 'delta' && typeof book.data === 'object' && book.data !== null && book.data.u === 1) {
    book.type = 'snapshot';
  }
}
