import { WebSocket } from 'ws';
import { encodeFrame } from './frame-encoder.js';
import type { StreamLimits } from './stream-limits.js';
import type { DisconnectReason, DropReason } from './stream-metrics.js';
import type { StreamMessage } from './stream-protocol.js';
import { TokenBucket } from './token-bucket.js';

const RATE_ERROR_EVERY_MS = 1_000;

/** What a client reports to the gateway's counters. */
export interface StreamClientEvents {
  dropped(reason: DropReason): void;
  disconnected(reason: DisconnectReason): void;
}

/**
 * One browser connection: its rate limit (its channels are the fan-outs'), and sends that respect one bound. Every
 * frame — data, status pushes, and replies to the client's own requests alike — is dropped when
 * it would take the client's queue past `maxBufferedBytes`, so a client that does not read costs
 * at most that much memory; one that stays there for `slowClientTimeoutMs` is disconnected.
 */
export class StreamClient {
  readonly bucket: TokenBucket;
  /** Whether this client receives status pushes. */
  wantsStatus = false;
  refusedInRow = 0;
  droppedFrames = 0;
  private lastRateErrorAt = Number.NEGATIVE_INFINITY;
  /** Since when this client has been at the bound (frames dropped, its queue not yet half read). */
  private stalledSince: number | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly limits: StreamLimits,
    private readonly events: StreamClientEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(limits.rateBurst, limits.ratePerSec, now);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** A reply or push for this client alone: serialised here, then the same bound as any frame. */
  send(message: StreamMessage): boolean {
    const encoded = encodeFrame(message, this.limits.maxFrameBytes);
    if (!encoded.ok) {
      this.events.dropped(encoded.reason);
      return false;
    }
    return this.sendFrame(encoded.bytes);
  }

  /** A frame serialised once for many clients; `ws` queues the same Buffer for each (no copy). */
  sendFrame(bytes: Buffer): boolean {
    if (!this.open) return false;
    const queued = this.socket.bufferedAmount;
    // Once at the bound, nothing more until the client has read half of its queue: small frames
    // (replies, pushes) do not trickle into the gap a large one left, and a stalled client stays
    // stalled until it reads.
    if (this.stalledSince !== undefined && queued > this.limits.maxBufferedBytes / 2) return this.drop();
    if (queued + bytes.length > this.limits.maxBufferedBytes) {
      this.stalledSince = this.now();
      return this.drop();
    }
    this.stalledSince = undefined;
    this.socket.send(bytes, { binary: false });
    return true;
  }

  private drop(): false {
    this.droppedFrames += 1;
    this.events.dropped('slow_client');
    this.checkStalled();
    return false;
  }

  /**
   * Called on every drop and by the gateway's sweep (a stalled client may get no more frames):
   * a client still at the bound after `slowClientTimeoutMs` is cut off (terminate: a close
   * handshake would queue behind the data it is not reading).
   */
  checkStalled(): void {
    if (this.stalledSince === undefined || !this.open) return;
    if (this.socket.bufferedAmount <= this.limits.maxBufferedBytes / 2) {
      // It read: it was slow for a moment, not stuck.
      this.stalledSince = undefined;
      return;
    }
    if (this.now() - this.stalledSince >= this.limits.slowClientTimeoutMs) this.disconnect('slow_client');
  }

  /** A flood gets one error reply per second, not one per message (no amplification). */
  shouldReportRateLimit(): boolean {
    const now = this.now();
    if (now - this.lastRateErrorAt < RATE_ERROR_EVERY_MS) return false;
    this.lastRateErrorAt = now;
    return true;
  }

  disconnect(reason: DisconnectReason, code?: number, message?: string): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.events.disconnected(reason);
    if (code === undefined) this.socket.terminate();
    else this.socket.close(code, message);
  }
}
