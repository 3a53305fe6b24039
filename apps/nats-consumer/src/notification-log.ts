import { Injectable, Logger } from '@nestjs/common';
import { sequenceVerdict, type ChannelTrack, type FanOutEnvelope } from '@exchange-connection/nats';

/** What this service did with one channel's notifications. */
export interface ChannelTally {
  received: number;
  /** Holes in the owner's sequence (lost on NATS): the next message carries on past them. */
  gaps: number;
  /** Duplicates, or late messages of an owner since replaced: dropped. */
  stale: number;
  /** Owners seen (epochs): a failover starts a new stream. */
  epochs: number[];
  last?: unknown;
}

/**
 * Keeps a tally per channel of what the fan-out delivered. A real service would update its own
 * state here; the sequence rule is the same one the replicas apply (`sequenceVerdict`).
 */
@Injectable()
export class NotificationLog {
  private readonly logger = new Logger('NotificationLog');
  private readonly tracks = new Map<string, ChannelTrack>();
  readonly channels = new Map<string, ChannelTally>();

  record(envelope: FanOutEnvelope): void {
    let tally = this.channels.get(envelope.c);
    if (tally === undefined) {
      tally = { received: 0, gaps: 0, stale: 0, epochs: [] };
      this.channels.set(envelope.c, tally);
    }
    const verdict = sequenceVerdict(this.tracks.get(envelope.c), envelope.e, envelope.s);
    if (verdict === 'stale') {
      tally.stale += 1;
      return;
    }
    if (verdict === 'gap') tally.gaps += 1;
    if (verdict === 'first') {
      tally.epochs.push(envelope.e);
      this.logger.log(`${envelope.c}: stream of owner epoch ${envelope.e} starts at #${envelope.s}`);
    }
    this.tracks.set(envelope.c, { epoch: envelope.e, seq: envelope.s });
    tally.received += 1;
    tally.last = envelope.d;
  }
}
