import { Buffer } from 'node:buffer';

/**
 * One notification on a channel subject, as the owner publishes it (JSON). Other Nest services
 * consuming the subject with `@EventPattern` receive this object as their payload.
 */
export interface FanOutEnvelope<T = unknown> {
  /** The owner's fencing epoch: a message of an older epoch is a late one from a fenced owner. */
  e: number;
  /** Per channel and epoch, from 1 without holes: a jump is a lost message (a gap). */
  s: number;
  /** When the owner published it (epoch ms, the owner's clock): fan-out lag. */
  t: number;
  /** The channel name as the venue spells it. */
  c: string;
  /** The notification, exactly what `channel$` delivers. */
  d?: T;
  /** Set instead of `d` when the venue refused the channel. */
  err?: { code: string; message: string };
}

export function parseEnvelope(bytes: Uint8Array): FanOutEnvelope | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object') return undefined;
    const e = value as Partial<FanOutEnvelope>;
    if (typeof e.e !== 'number' || typeof e.s !== 'number' || typeof e.c !== 'string') return undefined;
    return e as FanOutEnvelope;
  } catch {
    return undefined;
  }
}

/** Where a receiver is in one channel's stream: the owner's epoch and the last sequence number. */
export interface ChannelTrack {
  epoch: number;
  seq: number;
}

/**
 * What one envelope means for a receiver's track: the first of a stream (nothing seen yet, or a
 * newer owner), the next one, a hole before it (`gap`: messages were lost), or `stale` — a
 * duplicate, or a late message of an owner that has since been replaced (an older epoch).
 */
export type SequenceVerdict = 'first' | 'next' | 'gap' | 'stale';

export function sequenceVerdict(track: ChannelTrack | undefined, epoch: number, seq: number): SequenceVerdict {
  if (track === undefined || epoch > track.epoch) return 'first';
  if (epoch < track.epoch || seq <= track.seq) return 'stale';
  return seq === track.seq + 1 ? 'next' : 'gap';
}
