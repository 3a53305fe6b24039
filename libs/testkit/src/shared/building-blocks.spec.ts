import { CreditBucket, validateRateLimit } from './credit-bucket.js';
import { isSendableCloseCode } from './close-codes.js';
import { mulberry32, streamRandom } from './feeds/prng.js';
import { toDecimalText, roundTo } from './feeds/instrument-profile.js';
import { SlidingWindow } from './sliding-window.js';

describe('CreditBucket', () => {
  it('spends cost per request and refills per second up to capacity', () => {
    const bucket = new CreditBucket({ capacity: 2, refillPerSec: 4, cost: 1 }, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, false]);
    expect(bucket.tryTake(250)).toBe(true);
    expect(bucket.tryTake(250)).toBe(false);
    bucket.tryTake(10_000);
    expect(bucket.available()).toBe(1);
  });

  it('validateRateLimit names the bad field', () => {
    expect(validateRateLimit(undefined)).toBe(false);
    expect(validateRateLimit({ capacity: 2, refillPerSec: 1 })).toEqual({ capacity: 2, refillPerSec: 1, cost: 1 });
    expect(() => validateRateLimit({ capacity: 0, refillPerSec: 1 })).toThrow(/rateLimit.capacity/);
    expect(() => validateRateLimit({ capacity: 1, refillPerSec: -1 })).toThrow(/rateLimit.refillPerSec/);
  });
});

describe('SlidingWindow', () => {
  it('admits `limit` events per window and forgets events once the window has passed them', () => {
    const window = new SlidingWindow(2, 1000);
    expect([window.record(0), window.record(10), window.record(20)]).toEqual([true, true, false]);
    expect(window.count(999)).toBe(3);
    expect(window.count(1000)).toBe(2);
    expect(window.record(1011)).toBe(true);
    expect(window.count(1011)).toBe(2);
  });

  it('stays bounded over many windows', () => {
    const window = new SlidingWindow(5, 10);
    for (let t = 0; t < 100_000; t += 3) window.record(t);
    expect(window.count(100_000)).toBeLessThanOrEqual(4);
  });
});

describe('prng', () => {
  it('is deterministic per seed and per stream key', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(streamRandom(1, 'x')()).toBe(streamRandom(1, 'x')());
    expect(streamRandom(1, 'x')()).not.toBe(streamRandom(1, 'y')());
    expect(streamRandom(1, 'x')()).not.toBe(streamRandom(2, 'x')());
  });
});

describe('decimal text', () => {
  it('writes prices with the step’s decimals, as venues that send strings do', () => {
    expect(toDecimalText(60000.5, 0.5)).toBe('60000.5');
    expect(toDecimalText(3000, 0.01)).toBe('3000.00');
    expect(toDecimalText(12, 1)).toBe('12');
    expect(roundTo(0.1 + 0.2, 0.01)).toBe(0.3);
  });
});

describe('isSendableCloseCode', () => {
  it.each([
    [1000, true],
    [1012, true],
    [4000, true],
    [1005, false],
    [1006, false],
    [1015, false],
    [2000, false],
  ])('%i → %p', (code, expected) => expect(isSendableCloseCode(code)).toBe(expected));
});
