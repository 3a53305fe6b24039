import type { Subscription } from 'rxjs';
import { TokenBucket } from './token-bucket.js';

export type UpstreamChange = 'subscribe' | 'unsubscribe';

export interface UpstreamLimits {
  /** How long a channel nobody wants stays subscribed upstream. */
  lingerMs: number;
  /** Upstream changes at once, and per second after that. */
  burst: number;
  perSec: number;
}

export interface UpstreamClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: UpstreamClock = {
  now: Date.now,
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Entry {
  refs: number;
  subscription: Subscription | undefined;
  /** When refs last fell to 0. */
  idleSince: number;
  /** Counted once as deferred while it waits for the rate limit. */
  waiting: boolean;
}

/**
 * Which channels browsers hold open on one connection, decoupled from the venue: each channel is
 * reference-counted; the last release starts a linger instead of an unsubscribe; and every
 * upstream change (open or close a channel) spends a token of one per-connection bucket, so
 * however many browsers flap, the venue sees at most `burst` + `perSec` changes per second.
 * Changes that must wait are re-evaluated when a token is due, against the wanted state of that
 * moment: a subscribe and an unsubscribe of the same channel that meet in the queue cancel out.
 */
export class UpstreamChannels {
  private readonly entries = new Map<string, Entry>();
  private readonly bucket: TokenBucket;
  private timer: unknown;
  private closed = false;

  constructor(
    /** Opens the channel upstream; unsubscribing the result closes it. */
    private readonly open: (channel: string) => Subscription,
    private readonly limits: UpstreamLimits,
    private readonly onChange: (change: UpstreamChange, channel: string) => void = () => undefined,
    private readonly onDeferred: (change: UpstreamChange, channel: string) => void = () => undefined,
    private readonly clock: UpstreamClock = realClock,
  ) {
    this.bucket = new TokenBucket(limits.burst, limits.perSec, () => clock.now());
  }

  acquire(channel: string): void {
    if (this.closed) return;
    const entry = this.entries.get(channel) ?? { refs: 0, subscription: undefined, idleSince: 0, waiting: false };
    this.entries.set(channel, entry);
    entry.refs += 1;
    if (entry.refs === 1) this.reconcile();
  }

  release(channel: string): void {
    const entry = this.entries.get(channel);
    if (entry === undefined || entry.refs === 0) return;
    entry.refs -= 1;
    if (entry.refs === 0) {
      entry.idleSince = this.clock.now();
      this.reconcile();
    }
  }

  /** Channels open upstream (wanted or lingering). */
  openChannels(): string[] {
    return [...this.entries].filter(([, e]) => e.subscription !== undefined).map(([channel]) => channel);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.entries.values()) entry.subscription?.unsubscribe();
    this.entries.clear();
  }

  private reconcile(): void {
    if (this.closed) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    let wakeInMs = Number.POSITIVE_INFINITY;
    // Opens first: a browser is waiting for each of them.
    for (const [channel, entry] of this.entries) {
      if (entry.refs === 0 || entry.subscription !== undefined) continue;
      const waitMs = this.spend('subscribe', channel, entry);
      if (waitMs > 0) {
        wakeInMs = Math.min(wakeInMs, waitMs);
        continue;
      }
      entry.subscription = this.open(channel);
      this.onChange('subscribe', channel);
    }
    for (const [channel, entry] of this.entries) {
      if (entry.refs > 0) continue;
      if (entry.subscription === undefined) {
        this.entries.delete(channel);
        continue;
      }
      const lingerLeftMs = entry.idleSince + this.limits.lingerMs - now;
      if (lingerLeftMs > 0) {
        wakeInMs = Math.min(wakeInMs, lingerLeftMs);
        continue;
      }
      const waitMs = this.spend('unsubscribe', channel, entry);
      if (waitMs > 0) {
        wakeInMs = Math.min(wakeInMs, waitMs);
        continue;
      }
      entry.subscription.unsubscribe();
      this.entries.delete(channel);
      this.onChange('unsubscribe', channel);
    }
    if (Number.isFinite(wakeInMs)) this.timer = this.clock.setTimeout(() => this.reconcile(), Math.max(1, wakeInMs));
  }

  /** 0: a token was taken, go ahead; otherwise ms until one is due. */
  private spend(change: UpstreamChange, channel: string, entry: Entry): number {
    const waitMs = this.bucket.msUntilNext();
    if (waitMs === 0) {
      this.bucket.take();
      entry.waiting = false;
      return 0;
    }
    if (!entry.waiting) {
      entry.waiting = true;
      this.onDeferred(change, channel);
    }
    return waitMs;
  }
}
