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
    const now = this.now();
    const elapsedSec = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSec * this.refillPerSec);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
