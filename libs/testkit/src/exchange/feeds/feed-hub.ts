import { isPrivateChannel, parseChannel, type ParsedChannel } from '../channel-name.js';
import { subscriptionNotification } from '../json-rpc-envelope.js';
import { createFeedStream } from './create-feed-stream.js';
import type { FeedStream } from './feed-stream.js';

/** Whoever receives notifications: a connection session. `send` must never throw. */
export interface FeedSubscriber {
  send(frame: string): void;
}

export interface FeedHubOptions {
  readonly seed: number;
  readonly feedIntervalMs: number;
  readonly instruments: readonly string[];
  readonly now: () => number;
}

interface ChannelSubscription {
  /** The stream behind it (user.* streams are per account). */
  readonly key: string;
  /** False from subscribe until its result is sent. */
  live: boolean;
}

/**
 * Who is subscribed to what, and the generated streams behind each channel. Streams outlive
 * subscribers and restarts (the market goes on); one timer per channel that has subscribers.
 */
export class FeedHub {
  private readonly streams = new Map<string, FeedStream>();
  /** channel → subscriber → its subscription (user.* streams are keyed per account). */
  private readonly byChannel = new Map<string, Map<FeedSubscriber, ChannelSubscription>>();
  private readonly bySubscriber = new Map<FeedSubscriber, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: FeedHubOptions) {}

  parse(channel: string): ParsedChannel | undefined {
    return parseChannel(channel, this.options.instruments);
  }

  /**
   * Adds a subscription, held back until `activate` (the subscribe result is sent): Deribit's first
   * notification on a book is its snapshot, so no change may reach the subscriber before it, even
   * while the result is delayed by a fault. False if it was already there.
   */
  add(subscriber: FeedSubscriber, channel: string, parsed: ParsedChannel, clientId: string | undefined): boolean {
    const channels = this.bySubscriber.get(subscriber) ?? new Set<string>();
    this.bySubscriber.set(subscriber, channels);
    if (channels.has(channel)) return false;
    channels.add(channel);
    const key = this.streamKey(channel, clientId);
    this.stream(key, parsed);
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
    const initial = this.streams.get(subscription.key)?.initial?.(this.options.now());
    if (initial !== undefined) subscriber.send(subscriptionNotification(channel, initial));
  }

  remove(subscriber: FeedSubscriber, channel: string): boolean {
    const channels = this.bySubscriber.get(subscriber);
    if (channels === undefined || !channels.delete(channel)) return false;
    if (channels.size === 0) this.bySubscriber.delete(subscriber);
    const subscribers = this.byChannel.get(channel);
    subscribers?.delete(subscriber);
    if (subscribers !== undefined && subscribers.size === 0) {
      this.byChannel.delete(channel);
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

  /** Pushes `count` notifications to every live subscriber of `channel`; returns how many subscribers. */
  publish(channel: string, count = 1): number {
    const subscribers = this.byChannel.get(channel);
    if (subscribers === undefined) return 0;
    let live = 0;
    for (const subscription of subscribers.values()) if (subscription.live) live += 1;
    if (live === 0) return 0;
    for (let round = 0; round < count; round += 1) {
      const frames = new Map<string, string>();
      for (const [subscriber, { key, live: isLive }] of subscribers) {
        if (!isLive) continue;
        let frame = frames.get(key);
        if (frame === undefined) {
          const stream = this.streams.get(key);
          if (stream === undefined) continue;
          frame = subscriptionNotification(channel, stream.next(this.options.now()));
          frames.set(key, frame);
        }
        subscriber.send(frame);
      }
    }
    return live;
  }

  injectGap(channel: string): void {
    const parsed = this.parse(channel);
    if (parsed === undefined || parsed.kind !== 'book') {
      throw new RangeError(`injectBookGap needs a book.{instrument}.{interval} channel (got ${channel})`);
    }
    const stream = this.stream(channel, parsed);
    stream.injectGap?.();
  }

  /** Open orders generated for an account's user.orders streams. */
  openOrders(clientId: string): number {
    let total = 0;
    for (const [key, stream] of this.streams) {
      if (key.startsWith(`${clientId}\u0000user.orders.`)) total += stream.openOrders?.() ?? 0;
    }
    return total;
  }

  /** Drops every subscription and timer; streams are kept. */
  clear(): void {
    for (const channel of [...this.timers.keys()]) this.clearTimer(channel);
    this.byChannel.clear();
    this.bySubscriber.clear();
  }

  private streamKey(channel: string, clientId: string | undefined): string {
    return isPrivateChannel(channel) ? `${clientId ?? ''}\u0000${channel}` : channel;
  }

  private stream(key: string, parsed: ParsedChannel): FeedStream {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = createFeedStream(parsed, this.options.seed, key);
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
