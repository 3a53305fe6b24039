import type { FeedStream } from './feed-stream.js';
import { streamRandom, type Random } from './prng.js';

/** Turns one notification's data into the frame a subscriber gets (venues wrap data differently). */
export type FrameEncoder = (channel: string, data: unknown) => string;

/** Whoever receives notifications: a connection session, or one subscription on it. `send` must never throw. */
export interface FeedSubscriber {
  send(frame: string): void;
  /** Subscribers sharing an encoder share one encoded frame per notification. */
  readonly encoder: FrameEncoder;
}

/** What a venue tells the hub about its channels. */
export interface FeedCatalog<P> {
  /** The parsed channel, or undefined for a channel the venue does not serve. */
  parse(channel: string): P | undefined;
  /** The stream behind a channel; `random` is seeded from the exchange seed and the stream key. */
  create(parsed: P, random: Random, channel: string): FeedStream;
  /** Private channels have one stream per account. */
  isPrivate(channel: string): boolean;
}

export interface FeedHubOptions {
  readonly seed: number;
  /** Mixed into every stream's seed, so two hubs with the same channel names (two markets) differ. */
  readonly namespace?: string;
  readonly feedIntervalMs: number;
  readonly now: () => number;
}

interface ChannelSubscription {
  /** The stream behind it (private streams are per account). */
  readonly key: string;
  /** False from subscribe until the venue's acknowledgement is sent. */
  live: boolean;
}

/**
 * Who is subscribed to what, and the generated streams behind each channel. Streams outlive
 * subscribers and restarts (the market goes on); one timer per channel that has subscribers.
 */
export class FeedHub<P> {
  private readonly streams = new Map<string, FeedStream>();
  /** channel → subscriber → its subscription. */
  private readonly byChannel = new Map<string, Map<FeedSubscriber, ChannelSubscription>>();
  private readonly bySubscriber = new Map<FeedSubscriber, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly published = new Map<string, number>();

  constructor(
    private readonly catalog: FeedCatalog<P>,
    private readonly options: FeedHubOptions,
  ) {}

  parse(channel: string): P | undefined {
    return this.catalog.parse(channel);
  }

  /**
   * Adds a subscription, held back until `activate` (the venue's acknowledgement is sent): a
   * venue's first notification on a book is its snapshot, so nothing may reach the subscriber
   * before it, even while the acknowledgement is delayed by a fault. False if it was already there.
   */
  add(subscriber: FeedSubscriber, channel: string, parsed: P, account: string | undefined): boolean {
    const channels = this.bySubscriber.get(subscriber) ?? new Set<string>();
    this.bySubscriber.set(subscriber, channels);
    if (channels.has(channel)) return false;
    channels.add(channel);
    const key = this.streamKey(channel, account);
    this.streamAt(key, parsed, channel);
    const subscribers = this.byChannel.get(channel) ?? new Map<FeedSubscriber, ChannelSubscription>();
    this.byChannel.set(channel, subscribers);
    subscribers.set(subscriber, { key, live: false });
    this.ensureTimer(channel);
    return true;
  }

  /** Makes a held-back subscription live, sending first what a new subscriber must see (book snapshots). */
  activate(subscriber: FeedSubscriber, channel: string): void {
    const subscription = this.byChannel.get(channel)?.get(subscriber);
    if (subscription === undefined || subscription.live) return;
    subscription.live = true;
    this.published.set(channel, performance.now());
    const initial = this.streams.get(subscription.key)?.initial?.(this.options.now());
    if (initial !== undefined) subscriber.send(subscriber.encoder(channel, initial));
  }

  has(subscriber: FeedSubscriber, channel: string): boolean {
    return this.bySubscriber.get(subscriber)?.has(channel) ?? false;
  }

  remove(subscriber: FeedSubscriber, channel: string): boolean {
    const channels = this.bySubscriber.get(subscriber);
    if (channels === undefined || !channels.delete(channel)) return false;
    if (channels.size === 0) this.bySubscriber.delete(subscriber);
    const subscribers = this.byChannel.get(channel);
    subscribers?.delete(subscriber);
    if (subscribers !== undefined && subscribers.size === 0) {
      this.byChannel.delete(channel);
      this.published.delete(channel);
      this.clearTimer(channel);
    }
    return true;
  }

  removeAll(subscriber: FeedSubscriber): string[] {
    const channels = [...(this.bySubscriber.get(subscriber) ?? [])];
    for (const channel of channels) this.remove(subscriber, channel);
    return channels;
  }

  channelsOf(subscriber: FeedSubscriber): string[] {
    return [...(this.bySubscriber.get(subscriber) ?? [])];
  }

  /** Channels that have at least one subscriber. */
  activeChannels(): string[] {
    return [...this.byChannel.keys()];
  }

  /** When `channel` last sent something to anyone (`performance.now()` ms), if it ever did. */
  lastPublishedAt(channel: string): number | undefined {
    return this.published.get(channel);
  }

  /** Pushes `count` notifications to every live subscriber of `channel`; returns how many subscribers. */
  publish(channel: string, count = 1): number {
    return this.push(channel, count, (stream, now) => stream.next(now));
  }

  /** Like `publish`, for one account's stream of a private channel only. */
  publishTo(channel: string, account: string, count = 1): number {
    const key = this.streamKey(channel, account);
    return this.push(channel, count, (stream, now) => stream.next(now), key);
  }

  /**
   * Pushes data the caller computes from each stream (e.g. a book re-snapshot) to every live
   * subscriber of `channel` (of one stream key only, if given); the streams do not advance unless
   * `make` advances them.
   */
  push(channel: string, count: number, make: (stream: FeedStream, now: number) => unknown, onlyKey?: string): number {
    const subscribers = this.byChannel.get(channel);
    if (subscribers === undefined) return 0;
    let live = 0;
    for (const subscription of subscribers.values()) {
      if (subscription.live && (onlyKey === undefined || subscription.key === onlyKey)) live += 1;
    }
    if (live === 0) return 0;
    for (let round = 0; round < count; round += 1) {
      const now = this.options.now();
      this.published.set(channel, performance.now());
      const data = new Map<string, unknown>();
      const frames = new Map<string, Map<FrameEncoder, string>>();
      for (const [subscriber, { key, live: isLive }] of subscribers) {
        if (!isLive || (onlyKey !== undefined && key !== onlyKey)) continue;
        if (!data.has(key)) {
          const stream = this.streams.get(key);
          if (stream === undefined) continue;
          data.set(key, make(stream, now));
          frames.set(key, new Map());
        }
        const encoded = frames.get(key) ?? new Map<FrameEncoder, string>();
        let frame = encoded.get(subscriber.encoder);
        if (frame === undefined) {
          frame = subscriber.encoder(channel, data.get(key));
          encoded.set(subscriber.encoder, frame);
        }
        subscriber.send(frame);
      }
    }
    return live;
  }

  /** The stream behind a public channel (created on first use, so faults can be armed before anyone subscribes). */
  streamOf(channel: string, parsed: P, account?: string): FeedStream {
    return this.streamAt(this.streamKey(channel, account), parsed, channel);
  }

  /** Every stream created so far with its key (`account\0channel` for private ones). */
  entries(): IterableIterator<[string, FeedStream]> {
    return this.streams.entries();
  }

  /** Drops every subscription and timer; streams are kept. */
  clear(): void {
    for (const channel of [...this.timers.keys()]) this.clearTimer(channel);
    this.byChannel.clear();
    this.bySubscriber.clear();
  }

  streamKey(channel: string, account: string | undefined): string {
    return this.catalog.isPrivate(channel) ? `${account ?? ''}\u0000${channel}` : channel;
  }

  private streamAt(key: string, parsed: P, channel: string): FeedStream {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      const seedKey = this.options.namespace === undefined ? key : `${this.options.namespace}\u0000${key}`;
      stream = this.catalog.create(parsed, streamRandom(this.options.seed, seedKey), channel);
      this.streams.set(key, stream);
    }
    return stream;
  }

  private ensureTimer(channel: string): void {
    if (this.options.feedIntervalMs <= 0 || this.timers.has(channel)) return;
    this.timers.set(
      channel,
      setInterval(() => this.publish(channel), this.options.feedIntervalMs),
    );
  }

  private clearTimer(channel: string): void {
    const timer = this.timers.get(channel);
    if (timer !== undefined) clearInterval(timer);
    this.timers.delete(channel);
  }
}
