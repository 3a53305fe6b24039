/**
 * Per-client rate limit: `capacity` messages at once, refilled at `refillPerSec`. The clock is
 * injectable so tests assert refills without sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSec: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacity >= 1) || !(refillPerSec >= 0)) throw new RangeError('TokenBucket needs capacity >= 1 and refillPerSec >= 0');
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes one token; false when the client is over its rate. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until `take()` can succeed (0 when it can now; Infinity with no refill). */
  msUntilNext(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    if (this.refillPerSec === 0) return Number.POSITIVE_INFINITY;
    return Math.ceil(((1 - this.tokens) / this.refillPerSec) * 1000);
  }

  private refill(): void {
    const now = this.now();
    const elapsedSec = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSec * this.refillPerSec);
  }
}
