import type { SequenceInfo } from '../venues/venue-adapter.js';

export type SequenceVerdict =
  | { kind: 'ok' }
  /** A message before the channel's first snapshot after a (re)subscribe: not deliverable. */
  | { kind: 'skip' }
  | { kind: 'gap'; expectedPrev: number; gotPrev: number };

/**
 * Per-session continuity of ordered channels (Deribit books: prev_change_id must equal the previous
 * change_id). After a gap the channel waits for a fresh snapshot; nothing in between is delivered,
 * so a consumer never sees a corrupt book.
 */
export class SequenceTracker {
  private readonly last = new Map<string, number | 'awaiting-snapshot'>();

  check(channel: string, seq: SequenceInfo): SequenceVerdict {
    const last = this.last.get(channel);
    if (seq.prev === undefined) {
      this.last.set(channel, seq.id);
      return { kind: 'ok' };
    }
    if (last === 'awaiting-snapshot') return { kind: 'skip' };
    if (last !== undefined && seq.prev !== last) {
      this.last.set(channel, 'awaiting-snapshot');
      return { kind: 'gap', expectedPrev: last, gotPrev: seq.prev };
    }
    this.last.set(channel, seq.id);
    return { kind: 'ok' };
  }

  /** Forget a channel (unsubscribed, or resubscribing after a gap). */
  reset(channel: string): void {
    this.last.delete(channel);
  }

  clear(): void {
    this.last.clear();
  }
}
