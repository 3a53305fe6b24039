import fc from 'fast-check';
import { calculateBackoff } from './backoff.js';
import { equalJitter, fullJitter, noJitter, seededRandom } from './jitter.js';

const attempt = fc.integer({ min: 0, max: 5000 });
const base = fc.integer({ min: 1, max: 60_000 });
const cap = fc.integer({ min: 1, max: 600_000 });
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff properties', () => {
  it('never exceeds the cap and is always finite', () => {
    fc.assert(
      fc.property(attempt, base, cap, (a, b, c) => {
        const delay = calculateBackoff(a, b, c);
        return Number.isFinite(delay) && delay >= 0 && delay <= c;
      }),
    );
  });

  it('is monotone non-decreasing in attempt', () => {
    fc.assert(fc.property(attempt, base, cap, (a, b, c) => calculateBackoff(a + 1, b, c) >= calculateBackoff(a, b, c)));
  });

  it('is exactly base·2^attempt below the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), base, (a, b) => {
        const exact = b * 2 ** a;
        return calculateBackoff(a, b, Number.MAX_SAFE_INTEGER) === exact;
      }),
    );
  });
});

describe('jitter properties', () => {
  const delay = fc.integer({ min: 0, max: 600_000 });

  it('full jitter stays within [0, delay]', () => {
    fc.assert(
      fc.property(delay, unit, (d, r) => {
        const value = fullJitter(() => r)(d);
        return value >= 0 && value <= d;
      }),
    );
  });

  it('equal jitter stays within [delay/2, delay]', () => {
    fc.assert(
      fc.property(delay, unit, (d, r) => {
        const value = equalJitter(() => r)(d);
        return value >= Math.floor(d / 2) && value <= d;
      }),
    );
  });

  it('stays within range even for a broken random source', () => {
    for (const bad of [NaN, -1, 2, Infinity]) {
      expect(fullJitter(() => bad)(1000)).toBeGreaterThanOrEqual(0);
      expect(fullJitter(() => bad)(1000)).toBeLessThanOrEqual(1000);
      expect(equalJitter(() => bad)(1000)).toBeGreaterThanOrEqual(500);
      expect(equalJitter(() => bad)(1000)).toBeLessThanOrEqual(1000);
    }
  });

  it('noJitter is the identity', () => {
    fc.assert(fc.property(delay, (d) => noJitter(d) === d));
  });
});

describe('seededRandom', () => {
  it('is reproducible per seed and within [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = seededRandom(seed);
        const b = seededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          if (x !== b() || x < 0 || x >= 1) return false;
        }
        return true;
      }),
    );
  });

  it('differs between seeds', () => {
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});
