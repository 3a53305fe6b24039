import type { Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import type { StreamMessage } from './stream-protocol.js';
import { TokenBucket } from './token-bucket.js';
import type { StreamLimits } from './stream-limits.js';

const RATE_ERROR_EVERY_MS = 1_000;

/** One browser connection: its subscriptions, its rate limit, and backpressure-aware sends. */
export class StreamClient {
  readonly bucket: TokenBucket;
  readonly subscriptions = new Map<string, Subscription>();
  refusedInRow = 0;
  droppedFrames = 0;
  private lastRateErrorAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly socket: WebSocket,
    private readonly limits: StreamLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(limits.rateBurst, limits.ratePerSec, now);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Control replies always go out; data and periodic status frames are dropped for a client that cannot keep up. */
  send(message: StreamMessage): void {
    if (!this.open) return;
    const droppable = message.type === 'data' || (message.type === 'status' && message.id === undefined);
    if (droppable && this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.droppedFrames += 1;
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  /** A flood gets one error reply per second, not one per message (no amplification). */
  shouldReportRateLimit(): boolean {
    const now = this.now();
    if (now - this.lastRateErrorAt < RATE_ERROR_EVERY_MS) return false;
    this.lastRateErrorAt = now;
    return true;
  }

  dispose(): void {
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }
}
