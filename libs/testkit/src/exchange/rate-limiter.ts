import type { RateLimitOptions } from './test-exchange-options.js';

/** Deribit-style credit bucket: each request costs credits, credits refill continuously. */
export class CreditBucket {
  private credits: number;
  private updatedAt: number;

  constructor(
    private readonly limit: Required<RateLimitOptions>,
    now: number,
  ) {
    this.credits = limit.capacity;
    this.updatedAt = now;
  }

  /** Takes one request's cost if the bucket holds it; false means answer 10028. */
  tryTake(now: number): boolean {
    const elapsedSec = Math.max(0, now - this.updatedAt) / 1000;
    this.credits = Math.min(this.limit.capacity, this.credits + elapsedSec * this.limit.refillPerSec);
    this.updatedAt = now;
    if (this.credits < this.limit.cost) return false;
    this.credits -= this.limit.cost;
    return true;
  }

  available(): number {
    return this.credits;
  }
}

export function createBucket(limit: RateLimitOptions | false, now: number): CreditBucket | undefined {
  if (limit === false) return undefined;
  return new CreditBucket({ capacity: limit.capacity, refillPerSec: limit.refillPerSec, cost: limit.cost ?? 1 }, now);
}
