import { Buffer } from 'node:buffer';
import type { CreditBucket } from '../shared/credit-bucket.js';
import type { FeedSubscriber, FrameEncoder } from '../shared/feeds/feed-hub.js';
import { SlidingWindow } from '../shared/sliding-window.js';
import { SocketSession, type SocketSessionInit } from '../shared/socket-session.js';
import type { BinanceAccount } from './binance-options.js';
import type { BinanceProduct, UsdmTier } from './binance-streams.js';

/**
 * Where a socket connected: a spot market stream, a USDⓈ-M routed path (`usdm-private`: user data
 * over a listenKey), or the spot WebSocket API.
 */
export type BinanceRoute = 'spot-stream' | 'usdm-public' | 'usdm-market' | 'usdm-private' | 'ws-api';

/** Raw streams carry the payload itself; combined streams wrap it as `{"stream": …, "data": …}`. */
const rawEncoder: FrameEncoder = (_stream, data) => JSON.stringify(data);
const combinedEncoder: FrameEncoder = (stream, data) => JSON.stringify({ stream, data });

/** One user data subscription on a WebSocket API connection. */
export interface UserDataSubscription extends FeedSubscriber {
  readonly subscriptionId: number;
  readonly apiKey: string;
  /** Opened by `userDataStream.subscribe` (ends with `session.logout`) or by `…subscribe.signature`. */
  readonly viaLogon: boolean;
}

export interface BinanceSessionInit extends SocketSessionInit {
  readonly route: BinanceRoute;
  readonly combined: boolean;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly lifetimeMs: number;
  /** Incoming messages per second on market streams; undefined = no limit (the WebSocket API). */
  readonly messagesPerSecond: number | undefined;
  readonly bucket: CreditBucket | undefined;
  readonly returnRateLimits: boolean;
  readonly hooks: BinanceSessionHooks;
}

export interface BinanceSessionHooks {
  onPingSent(): void;
  onPongAnswered(): void;
  onPongTimeout(session: BinanceSession): void;
  onLifetimeOver(session: BinanceSession): void;
  /** A message counted against the rate limit; `count` is the messages within the last second. */
  onMessageCounted(session: BinanceSession, count: number, overLimit: boolean): void;
}

/**
 * One Binance socket: its route and framing, the server's ping/pong contract (a ping every
 * interval; a pong echoing its payload must come within the timeout), the 24 h lifetime, the
 * incoming-message window, and on the WebSocket API its logon and user data subscriptions.
 */
export class BinanceSession extends SocketSession implements FeedSubscriber {
  readonly route: BinanceRoute;
  readonly product: BinanceProduct;
  readonly tier: UsdmTier | undefined;
  readonly returnRateLimits: boolean;
  combined: boolean;
  bucket: CreditBucket | undefined;
  /** Streams this connection asked for on a USDⓈ-M path that does not deliver them. */
  readonly misrouted = new Set<string>();
  /** The most messages this connection sent within one second. */
  peakMessagesPerSecond = 0;
  logon: { account: BinanceAccount; since: number } | undefined;
  readonly subscriptions = new Map<number, UserDataSubscription>();
  /** Subscriptions ever opened (the venue caps a session's lifetime total). */
  subscriptionsOpened = 0;
  private readonly window: SlidingWindow | undefined;
  private readonly outstanding = new Map<string, number>();
  private readonly hooks: BinanceSessionHooks;
  private readonly pongTimeoutMs: number;
  private pingSeq = 0;

  constructor(init: BinanceSessionInit) {
    super(init);
    this.route = init.route;
    this.product =
      init.route === 'usdm-public' || init.route === 'usdm-market' || init.route === 'usdm-private' ? 'usdm' : 'spot';
    this.tier = init.route === 'usdm-public' ? 'public' : init.route === 'usdm-market' ? 'market' : undefined;
    this.combined = init.combined;
    this.bucket = init.bucket;
    this.returnRateLimits = init.returnRateLimits;
    this.hooks = init.hooks;
    this.pongTimeoutMs = init.pongTimeoutMs;
    this.window = init.messagesPerSecond === undefined ? undefined : new SlidingWindow(init.messagesPerSecond, 1000);
    this.schedulePing(init.pingIntervalMs);
    this.later(init.lifetimeMs, () => this.hooks.onLifetimeOver(this));
  }

  get encoder(): FrameEncoder {
    return this.combined ? combinedEncoder : rawEncoder;
  }

  get isStreamConnection(): boolean {
    return this.route !== 'ws-api';
  }

  /** Counts one incoming message (JSON, ping or pong frame) on a market-stream connection. */
  countMessage(): boolean {
    if (this.window === undefined) return true;
    const now = performance.now();
    const within = this.window.record(now);
    const count = this.window.count(now);
    if (count > this.peakMessagesPerSecond) this.peakMessagesPerSecond = count;
    this.hooks.onMessageCounted(this, count, !within);
    return within;
  }

  override onPing(data: Buffer): void {
    if (!this.countMessage()) return;
    this.pong(data);
  }

  /** Only a pong echoing an outstanding ping's payload counts; unsolicited pongs do not (docs). */
  override onPong(data: Buffer): void {
    if (!this.countMessage()) return;
    if (this.faults.ignoreHeartbeatAnswers) return;
    const sentAt = this.outstanding.get(data.toString('utf8'));
    if (sentAt === undefined) return;
    for (const [payload, at] of this.outstanding) if (at <= sentAt) this.outstanding.delete(payload);
    this.hooks.onPongAnswered();
  }

  private schedulePing(intervalMs: number): void {
    this.later(intervalMs, () => {
      this.schedulePing(intervalMs);
      // A paused or black-holed server sends no ping, so it cannot hold the client to a pong.
      if (this.faults.heartbeatsPaused || this.faults.blackHole) return;
      this.pingSeq += 1;
      const payload = `${Date.now()}-${this.pingSeq}`;
      this.outstanding.set(payload, performance.now());
      this.ping(Buffer.from(payload));
      this.hooks.onPingSent();
      this.later(this.pongTimeoutMs, () => {
        if (!this.outstanding.has(payload) || this.faults.heartbeatsPaused || this.faults.blackHole) return;
        this.hooks.onPongTimeout(this);
      });
    });
  }
}
