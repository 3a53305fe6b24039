export interface RateLimitOptions {
  /** Bucket size in credits. */
  capacity: number;
  /** Credits added back per second. */
  refillPerSec: number;
  /** Credits one request costs (default 1). */
  cost?: number;
}

/** A credit bucket: each request costs credits, credits refill continuously up to the capacity. */
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

  /** Takes one request's cost if the bucket holds it; false means the venue's rate-limit error. */
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

  /** Milliseconds from `now` until one request's cost has refilled (what a venue's `retryAfter` states). */
  msUntilAvailable(now: number): number {
    const elapsedSec = Math.max(0, now - this.updatedAt) / 1000;
    const credits = Math.min(this.limit.capacity, this.credits + elapsedSec * this.limit.refillPerSec);
    if (credits >= this.limit.cost) return 0;
    if (this.limit.refillPerSec === 0) return Number.POSITIVE_INFINITY;
    return Math.ceil(((this.limit.cost - credits) / this.limit.refillPerSec) * 1000);
  }
}

export function createBucket(limit: RateLimitOptions | false, now: number): CreditBucket | undefined {
  if (limit === false) return undefined;
  return new CreditBucket({ capacity: limit.capacity, refillPerSec: limit.refillPerSec, cost: limit.cost ?? 1 }, now);
}

function requirePositive(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`TestExchange option ${name} must be a number >= ${min} (got ${String(value)})`);
  }
}

/** Fails fast on a bad limit, naming the field; `false`/undefined mean no limit. */
export function validateRateLimit(limit: RateLimitOptions | false | undefined): RateLimitOptions | false {
  if (limit === undefined || limit === false) return false;
  requirePositive('rateLimit.capacity', limit.capacity, 1);
  requirePositive('rateLimit.refillPerSec', limit.refillPerSec, 0);
  if (limit.cost !== undefined) requirePositive('rateLimit.cost', limit.cost, 0);
  return { capacity: limit.capacity, refillPerSec: limit.refillPerSec, cost: limit.cost ?? 1 };
}
