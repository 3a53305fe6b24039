import type { SequenceInfo } from '../venue-adapter.js';

/**
 * Continuity of Bybit order books, as the supervisor's sequence tracker checks it (a chain: each
 * message's `prev` must equal the previous message's `id`, a message without `prev` resets).
 * Docs (v5 websocket orderbook, "Process snapshot/delta"):
 * - after a subscribe the first message is a `snapshot`, then `delta`s;
 * - any new `snapshot` resets the book (level 1 re-sends one every 3 s without a change, with the
 *   same `u`; level 1 of spot/linear sends snapshots only);
 * - `u == 1` is a snapshot "due to the restart of the service": overwrite the local book.
 * The depth-book page does not say whether `u` rises by exactly one per delta; the full-orderbook
 * page does ("It is consecutive — the u value of each delta packet increments by one"), for the
 * same field. A delta is therefore chained to `u - 1`: a skipped, repeated or older `u` is a doubt,
 * and a doubt resubscribes (a fresh snapshot) instead of passing on a book that may be broken.
 * (VENUES.md calls the contiguity undocumented; the full-orderbook page is the closer word.)
 */

/**
 * A book message whose `type` or `u` cannot be read. Bybit ids start at 1, so it chains to
 * nothing: before a snapshot it is dropped, after one it is a gap (and a resubscribe).
 */
export const UNREADABLE_BOOK: SequenceInfo = Object.freeze({ id: -1, prev: -1 });

interface BookMessage {
  type?: unknown;
  data?: { u?: unknown } | null;
}

/**
 * The sequence facts of one `orderbook.*` message, read without copying it. `into`, when given, is
 * filled and returned instead of a new object (the per-frame path reuses one).
 */
export function bybitBookSequence(message: unknown, into?: SequenceInfo): SequenceInfo {
  if (typeof message !== 'object' || message === null) return UNREADABLE_BOOK;
  const { type, data } = message as BookMessage;
  const u = typeof data === 'object' && data !== null ? data.u : undefined;
  if (typeof u !== 'number' || !Number.isSafeInteger(u) || u < 1) return UNREADABLE_BOOK;
  // A type that is neither is unreadable even with u == 1: delivered as a restart snapshot, its
  // consumers (who rebuild on `type: 'snapshot'`) would take it for neither and chain deltas to it.
  if (type !== 'snapshot' && type !== 'delta') return UNREADABLE_BOOK;
  const snapshot = type === 'snapshot' || u === 1;
  const info = into ?? { id: u };
  info.id = u;
  info.prev = snapshot ? undefined : u - 1;
  return info;
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
