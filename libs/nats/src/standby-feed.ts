import type { Subscription as NatsSubscription } from '@nats-io/transport-node';
import { ExchangeConnectionError, type ExchangeConnectionErrorCode } from '@exchange-connection/core';
import { isSnapshot, type CoordinationContext } from './coordination-context.js';
import { parseEnvelope, sequenceVerdict, type ChannelTrack } from './fan-out-envelope.js';

type StandbyContext = Pick<
  CoordinationContext,
  'name' | 'subjects' | 'venue' | 'hubs' | 'counters' | 'nats' | 'isOwner' | 'emit' | 'log'
>;

/**
 * The standby's subscriber side: one NATS subscription per channel its consumers want, each
 * message checked against the channel's (epoch, seq) before it reaches the hub; a book that
 * starts mid-stream or sees a gap waits for a snapshot, asked of the owner on the control subject.
 */
export class StandbyFeed {
  private readonly channelSubs = new Map<string, NatsSubscription>();
  private readonly tracks = new Map<string, ChannelTrack>();

  constructor(private readonly ctx: StandbyContext) {}

  ensure(channel: string): void {
    const nc = this.ctx.nats();
    if (nc === undefined || this.channelSubs.has(channel)) return;
    const sub = nc.subscribe(this.ctx.subjects.channel(channel), {
      callback: (_error, msg) => this.onFanOut(channel, msg.data),
    });
    this.channelSubs.set(channel, sub);
  }

  drop(channel: string): void {
    this.channelSubs.get(channel)?.unsubscribe();
    this.channelSubs.delete(channel);
    this.tracks.delete(channel);
  }

  /** Every subscription ends and every track is forgotten (we own the connection, or close). */
  stop(): void {
    for (const sub of this.channelSubs.values()) sub.unsubscribe();
    this.channelSubs.clear();
    this.tracks.clear();
  }

  /** A book consumer needs a fresh snapshot: the owner brings one by resubscribing the channel. */
  askSnapshot(channel: string): void {
    try {
      this.ctx.nats()?.publish(this.ctx.subjects.control, JSON.stringify({ op: 'snapshot', channel }));
    } catch {
      // NATS down: the next gap or owner change asks again.
    }
  }

  /** One notification from the owner, checked against the channel's (epoch, seq) before delivery. */
  private onFanOut(channel: string, bytes: Uint8Array): void {
    if (this.ctx.isOwner()) return;
    const { hubs, counters } = this.ctx;
    const hub = hubs.get(channel);
    const envelope = parseEnvelope(bytes);
    if (hub === undefined || envelope === undefined || envelope.c !== channel) return;
    counters.received += 1;
    counters.fanOutLagMs = Math.max(0, Date.now() - envelope.t);
    const track = this.tracks.get(channel);
    if (envelope.err !== undefined) {
      const code = envelope.err.code as ExchangeConnectionErrorCode;
      hub.fail(new ExchangeConnectionError(code, envelope.err.message));
      hubs.delete(channel);
      this.drop(channel);
      return;
    }
    const snapshot = hub.sequenced && isSnapshot(this.ctx.venue, channel, envelope.d);
    const verdict = sequenceVerdict(track, envelope.e, envelope.s);
    if (verdict === 'stale') return; // a duplicate, or a fenced owner's late message
    if (verdict === 'first' || track === undefined) {
      // A new owner (or our first message): its stream starts here. A book must start at a snapshot.
      this.tracks.set(channel, { epoch: envelope.e, seq: envelope.s });
      if (hub.sequenced && !snapshot) {
        hub.hold();
        this.askSnapshot(channel);
      }
    } else if (verdict === 'gap') {
      counters.fanOutGaps += 1;
      this.ctx.emit({
        type: 'gap',
        connection: this.ctx.name,
        cycle: envelope.e,
        channel,
        expectedPrev: track.seq,
        gotPrev: envelope.s - 1,
      });
      this.ctx.log('warn', `fan-out gap on ${channel}: after ${track.seq} came ${envelope.s}`, { channel });
      track.seq = envelope.s;
      if (hub.sequenced && !snapshot) {
        hub.hold();
        this.askSnapshot(channel);
      }
    } else {
      track.seq = envelope.s;
    }
    if (hub.deliver(envelope.d, snapshot) > 0) counters.messagesReceived += 1;
  }
}
