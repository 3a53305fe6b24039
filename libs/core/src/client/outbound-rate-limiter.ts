import type { Clock } from './clock.js';
import { ExchangeConnectionError } from './errors.js';
import { MAX_TIMER_MS } from '../connection-defaults.js';

/**
 * A venue's limit on what one socket may send: at most `messages` frames in any `perMs` window
 * (Binance market streams: 5 per 1000 ms on spot, 10 on USDⓈ-M futures; pings and pongs count).
 */
export interface OutboundRate {
  messages: number;
  perMs: number;
  /**
   * Extra spacing added to the window, ms (default a tenth of `perMs`). The venue counts frames by
   * when they arrive, we by when we write them: scheduling jitter on either side can bunch two
   * frames that left a full window apart, so the window is kept slightly wider than the rule.
   */
  marginMs?: number;
}

/** A frame writer: called once, when the frame may go. */
export type FrameWrite = () => void;

/** Removes a queued frame; true when it was still queued (so it will never be written). */
export type CancelQueued = () => boolean;

const NOT_QUEUED: CancelQueued = () => false;

/** Monotonic time: a wall-clock step back must not let a burst through. */
const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Checks a rule once (INVALID_CONFIG naming the field) and fills the margin. */
export function resolveOutboundRate(rule: OutboundRate, name = 'outboundRate'): Required<OutboundRate> {
  const { messages, perMs } = rule;
  if (typeof messages !== 'number' || !Number.isInteger(messages) || messages < 1 || messages > 1_000_000) {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${name}.messages: must be an integer from 1 to 1000000`);
  }
  if (typeof perMs !== 'number' || !Number.isFinite(perMs) || perMs <= 0 || perMs > MAX_TIMER_MS / 2) {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${name}.perMs: must be a number of ms > 0`);
  }
  const marginMs = rule.marginMs ?? Math.ceil(perMs / 10);
  if (typeof marginMs !== 'number' || !Number.isFinite(marginMs) || marginMs < 0 || marginMs > perMs) {
    throw new ExchangeConnectionError('INVALID_CONFIG', `${name}.marginMs: must be a number of ms from 0 to perMs`);
  }
  return { messages, perMs, marginMs };
}

/**
 * Paces what one socket writes so that no window of `perMs + marginMs` holds more than `messages`
 * frames. A sliding window, not a token bucket: a bucket of N refilling N per second lets almost 2N
 * through within one second (a full bucket, then its refill), and a venue that counts a sliding
 * second (Binance does, and disconnects) would cut the socket.
 *
 * Two lanes. Control frames (pongs answering the venue's pings, our own protocol pings) go first:
 * a restore that queued a hundred requests cannot make a pong late enough to cost the socket.
 * They still take their slot, since the venue counts them too. Requests wait in FIFO order. A
 * frame is written at once when the window has room and nothing waits ahead of it; otherwise one
 * timer (at most) waits for the oldest slot to leave the window. `dispose()` drops what is queued
 * and clears the timer; their requests are failed by their owner (the client fails every pending
 * request when its socket goes).
 */
export class OutboundRateLimiter {
  private readonly rule: Required<OutboundRate>;
  private readonly clock: Clock;
  /** Write times of the last `messages` frames, oldest first (a ring). */
  private readonly sentAt: number[];
  private head = 0;
  private readonly control: FrameWrite[] = [];
  private readonly requests: Array<{ write: FrameWrite; queued: boolean }> = [];
  private requestHead = 0;
  /** Requests queued and not cancelled. */
  private waitingRequests = 0;
  private timer: unknown;
  private disposed = false;
  private counters = { written: 0, delayed: 0, maxQueued: 0 };

  constructor(rule: OutboundRate, clock: Clock = monotonicClock) {
    this.rule = resolveOutboundRate(rule);
    this.clock = clock;
    this.sentAt = new Array<number>(this.rule.messages).fill(Number.NEGATIVE_INFINITY);
  }

  /** Frames waiting (both lanes). */
  get queued(): number {
    return this.control.length + this.waitingRequests;
  }

  /** Frames written, frames that had to wait, and the deepest the queue got. */
  stats(): { written: number; delayed: number; maxQueued: number } {
    return { ...this.counters };
  }

  /** A request frame: written now if the window allows and nobody waits, else queued FIFO. */
  send(write: FrameWrite): CancelQueued {
    if (this.disposed) throw new ExchangeConnectionError('NOT_CONNECTED', 'socket closed: frame not sent');
    if (this.queued === 0 && this.room()) {
      this.write(write);
      return NOT_QUEUED;
    }
    const entry = { write, queued: true };
    this.requests.push(entry);
    this.waitingRequests += 1;
    this.onQueued();
    return () => {
      if (!entry.queued) return false;
      entry.queued = false;
      this.waitingRequests -= 1;
      return true;
    };
  }

  /** A heartbeat frame (pong, protocol ping): ahead of every queued request. Dropped silently once disposed. */
  sendControl(write: FrameWrite): void {
    if (this.disposed) return;
    if (this.control.length === 0 && this.room()) {
      this.write(write);
      return;
    }
    this.control.push(write);
    this.onQueued();
  }

  /** Drops both queues and the timer. Idempotent. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.control.length = 0;
    this.requests.length = 0;
    this.requestHead = 0;
    this.waitingRequests = 0;
  }

  private onQueued(): void {
    this.counters.delayed += 1;
    if (this.queued > this.counters.maxQueued) this.counters.maxQueued = this.queued;
    this.drain();
  }

  /** Whether one more frame now keeps every window within the rule. */
  private room(): boolean {
    // The ring's head is the oldest of the last `messages` writes: room once it left the window.
    return this.clock.now() - (this.sentAt[this.head] as number) >= this.rule.perMs + this.rule.marginMs;
  }

  private write(write: FrameWrite): void {
    this.sentAt[this.head] = this.clock.now();
    this.head = (this.head + 1) % this.rule.messages;
    this.counters.written += 1;
    // A throwing writer (a socket closing under us) is the owner's to see: the slot stays spent.
    write();
  }

  private drain(): void {
    if (this.timer !== undefined) return;
    while (!this.disposed) {
      const next = this.nextWrite();
      if (next === undefined) return;
      if (!this.room()) {
        const wait = (this.sentAt[this.head] as number) + this.rule.perMs + this.rule.marginMs - this.clock.now();
        this.timer = this.clock.setTimeout(
          () => {
            this.timer = undefined;
            this.drain();
          },
          Math.max(1, Math.ceil(wait)),
        );
        return;
      }
      this.take();
      try {
        this.write(next);
      } catch {
        // The owner learns of a dead socket from the socket itself; the queue keeps its order.
      }
    }
  }

  /** The next frame to write (control first), skipping cancelled requests; not removed. */
  private nextWrite(): FrameWrite | undefined {
    if (this.control.length > 0) return this.control[0];
    while (this.requestHead < this.requests.length) {
      const entry = this.requests[this.requestHead] as { write: FrameWrite; queued: boolean };
      if (entry.queued) return entry.write;
      this.requestHead += 1;
    }
    this.requests.length = 0;
    this.requestHead = 0;
    return undefined;
  }

  private take(): void {
    if (this.control.length > 0) {
      this.control.shift();
      return;
    }
    const entry = this.requests[this.requestHead] as { queued: boolean };
    entry.queued = false;
    this.waitingRequests -= 1;
    this.requestHead += 1;
    if (this.requestHead > 1024 && this.requestHead * 2 > this.requests.length) {
      this.requests.splice(0, this.requestHead);
      this.requestHead = 0;
    }
  }
}
