import type { SequenceInfo } from '../venues/venue-adapter.js';

// Per frame of every book: the common verdicts are shared, not allocated.
const OK: SequenceVerdict = Object.freeze({ kind: 'ok' });
const SKIP: SequenceVerdict = Object.freeze({ kind: 'skip' });

export type SequenceVerdict =
  | { kind: 'ok' }
  /** A change before the channel's snapshot on this session (or since a gap): not deliverable. */
  | { kind: 'skip' }
  | { kind: 'gap'; expectedPrev: number; gotPrev: number };

/**
 * Per-session continuity of ordered channels (Deribit books: prev_change_id must equal the previous
 * change_id; Bybit books: a delta's u - 1 the previous u). After a gap the channel waits for a fresh snapshot; nothing in between is delivered,
 * so a consumer never sees a corrupt book.
 */
export class SequenceTracker {
  /** Last change_id per channel; absent until the channel's snapshot (new session, or after a gap). */
  private readonly last = new Map<string, number>();

  check(channel: string, seq: SequenceInfo): SequenceVerdict {
    const last = this.last.get(channel);
    if (seq.prev === undefined) {
      this.last.set(channel, seq.id);
      return OK;
    }
    // No snapshot yet on this session (or since a gap): a change has nothing to chain to, and
    // delivering it could splice it onto the previous session's book, so it waits for the snapshot.
    if (last === undefined) return SKIP;
    if (seq.prev !== last) {
      this.last.delete(channel);
      return { kind: 'gap', expectedPrev: last, gotPrev: seq.prev };
    }
    this.last.set(channel, seq.id);
    return OK;
  }

  /** The id of the last message passed on the channel, if it has a chain. */
  lastOf(channel: string): number | undefined {
    return this.last.get(channel);
  }

  /**
   * Continue the channel's chain from `id`: a rotation hands a book from the old socket's tracker
   * to the new one's at the point where both streams join, so the seam is not a gap.
   */
  seed(channel: string, id: number): void {
    this.last.set(channel, id);
  }

  /** Forget a channel (unsubscribed, or resubscribing after a gap). */
  reset(channel: string): void {
    this.last.delete(channel);
  }

  clear(): void {
    this.last.clear();
  }
}
