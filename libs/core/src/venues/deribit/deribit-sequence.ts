import type { SequenceInfo } from '../venue-adapter.js';

/**
 * Sequence of the incremental book `book.{instrument}.{interval}` only: its messages chain
 * `prev_change_id` to the previous `change_id`. The grouped book `book.{i}.{group}.{depth}.{interval}`
 * sends whole snapshots, so a skipped one loses nothing and it reports no sequence.
 */
/** `book.{instrument}.{interval}`: the one Deribit channel chained by change_id/prev_change_id. */
export function isDeribitSequencedChannel(channel: string): boolean {
  if (!channel.startsWith('book.')) return false;
  return channel.split('.').length === 3;
}

export function deribitSequenceOf(channel: string, data: unknown): SequenceInfo | undefined {
  // Runs on every message of every channel: skip non-book channels before allocating a split.
  if (!channel.startsWith('book.')) return undefined;
  const parts = channel.split('.');
  if (parts.length !== 3 || parts[0] !== 'book') return undefined;
  if (typeof data !== 'object' || data === null) return undefined;
  const { change_id: id, prev_change_id: prev } = data as { change_id?: unknown; prev_change_id?: unknown };
  if (typeof id !== 'number') return undefined;
  return typeof prev === 'number' ? { id, prev } : { id };
}
