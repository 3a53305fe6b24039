import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the configured rate', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 60_000;
    // Never more than the burst, however long the pause.
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('tolerates a clock that goes backwards', () => {
    let now = 1_000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take()).toBe(true);
    now = 0;
    expect(bucket.take()).toBe(false);
  });

  it('says how long until the next token', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 4, () => now);
    expect(bucket.msUntilNext()).toBe(0);
    bucket.take();
    expect(bucket.msUntilNext()).toBe(250);
    now = 200;
    expect(bucket.msUntilNext()).toBe(50);
    now = 250;
    expect(bucket.msUntilNext()).toBe(0);
    const never = new TokenBucket(1, 0, () => 0);
    never.take();
    expect(never.msUntilNext()).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects nonsense limits', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, -1)).toThrow(RangeError);
  });
});
