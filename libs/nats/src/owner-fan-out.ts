import type { Subscription } from 'rxjs';
import { ExchangeConnectionError } from '@exchange-connection/core';
import { describe, isSnapshot, parseJson, type CoordinationContext } from './coordination-context.js';
import type { FanOutEnvelope } from './fan-out-envelope.js';

const SNAPSHOT_WAIT_MS = 10_000;

type FanOutContext = Pick<
  CoordinationContext,
  'subjects' | 'venue' | 'hubs' | 'counters' | 'nats' | 'mayAct' | 'session' | 'leaseEpoch' | 'log'
>;

/**
 * The owner's publisher side: one feed per wanted channel from its session, delivered to the local
 * hub and published on the channel's subject with a per-channel sequence; snapshots brought on
 * request (a local late consumer, or a standby's ask on the control subject).
 */
export class OwnerFanOut {
  private readonly feeds = new Map<string, Subscription>();
  private readonly feedSeq = new Map<string, number>();
  private readonly snapshotAsks = new Map<string, Subscription>();

  constructor(private readonly ctx: FanOutContext) {}

  /** A new owner's streams start at 1. */
  resetSequences(): void {
    this.feedSeq.clear();
  }

  /** Feed exactly the wanted channels. */
  reconcile(wanted: ReadonlySet<string>): void {
    for (const channel of wanted) this.ensure(channel);
    for (const channel of [...this.feeds.keys()]) if (!wanted.has(channel)) this.drop(channel);
  }

  ensure(channel: string): void {
    const inner = this.ctx.session();
    if (inner === undefined || this.feeds.has(channel)) return;
    const sequenced = this.ctx.venue.isSequencedChannel?.(channel) === true;
    const subject = this.ctx.subjects.channel(channel);
    const epoch = this.ctx.leaseEpoch() ?? 0;
    const feed = inner.channel$(channel).subscribe({
      next: (data) => {
        const seq = (this.feedSeq.get(channel) ?? 0) + 1;
        this.feedSeq.set(channel, seq);
        this.publish(subject, { e: epoch, s: seq, t: Date.now(), c: channel, d: data });
        const hub = this.ctx.hubs.get(channel);
        if (hub !== undefined && hub.deliver(data, sequenced && isSnapshot(this.ctx.venue, channel, data)) > 0)
          this.ctx.counters.messagesReceived += 1;
      },
      error: (error: unknown) => {
        this.feeds.delete(channel);
        const e =
          error instanceof ExchangeConnectionError ? error : new ExchangeConnectionError('CHANNEL_REFUSED', describe(error));
        const seq = (this.feedSeq.get(channel) ?? 0) + 1;
        this.feedSeq.set(channel, seq);
        this.publish(subject, { e: epoch, s: seq, t: Date.now(), c: channel, err: { code: e.code, message: e.message } });
        this.ctx.hubs.get(channel)?.fail(e);
        this.ctx.hubs.delete(channel);
      },
    });
    this.feeds.set(channel, feed);
  }

  drop(channel: string): void {
    this.feeds.get(channel)?.unsubscribe();
    this.feeds.delete(channel);
  }

  /** The session is gone: no feed, no snapshot ask outlives it. */
  stop(): void {
    for (const feed of this.feeds.values()) feed.unsubscribe();
    this.feeds.clear();
    for (const ask of this.snapshotAsks.values()) ask.unsubscribe();
    this.snapshotAsks.clear();
  }

  /** A standby's ask on the control subject. */
  onControl(data: Uint8Array): void {
    const message = parseJson<{ op?: string; channel?: string }>(data);
    if (message?.op !== 'snapshot' || typeof message.channel !== 'string' || !this.ctx.mayAct()) return;
    this.snapshot(message.channel);
  }

  /**
   * The core resubscribes a book channel when an observer joins it while live (the newcomer needs a
   * snapshot): a short-lived observer on our session is that newcomer. Everyone gets the snapshot.
   */
  snapshot(channel: string): void {
    const inner = this.ctx.session();
    if (inner === undefined || this.snapshotAsks.has(channel) || !this.feeds.has(channel)) return;
    const started = performance.now();
    const ask = inner.channel$(channel).subscribe({
      next: () => {
        this.snapshotAsks.delete(channel);
        queueMicrotask(() => ask.unsubscribe());
      },
      error: () => this.snapshotAsks.delete(channel),
    });
    this.snapshotAsks.set(channel, ask);
    setTimeout(() => {
      if (this.snapshotAsks.get(channel) === ask && performance.now() - started >= SNAPSHOT_WAIT_MS - 1) {
        this.snapshotAsks.delete(channel);
        ask.unsubscribe();
      }
    }, SNAPSHOT_WAIT_MS).unref();
  }

  private publish(subject: string, envelope: FanOutEnvelope): void {
    const nc = this.ctx.nats();
    if (nc === undefined || !this.ctx.mayAct()) return;
    try {
      nc.publish(subject, JSON.stringify(envelope));
      this.ctx.counters.published += 1;
    } catch (error) {
      this.ctx.log('debug', `fan-out publish failed: ${describe(error)}`);
    }
  }
}
