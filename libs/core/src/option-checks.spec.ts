import { MAX_TIMER_MS } from './connection-defaults.js';
import { durationMs, durationSec, integer, timerDelay } from './option-checks.js';

describe('option checks', () => {
  it('durationMs: a timer-sized, finite, positive number (0 only when allowed), or the fallback', () => {
    expect(durationMs('x', undefined, 5)).toBe(5);
    expect(durationMs('x', MAX_TIMER_MS, 5)).toBe(MAX_TIMER_MS);
    expect(durationMs('x', 0, 5, { zero: true })).toBe(0);
    for (const bad of [0, -1, MAX_TIMER_MS + 1, 9_999_999_999, Number.NaN, Infinity]) {
      expect(() => durationMs('circuitBreaker.cooldownMs', bad, 5)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('circuitBreaker.cooldownMs') }),
      );
    }
    expect(() => durationMs('x', '10' as unknown as number, 5)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('durationSec: the same bound, in seconds', () => {
    expect(durationSec('s', MAX_TIMER_MS / 1000, 1)).toBe(MAX_TIMER_MS / 1000);
    expect(() => durationSec('heartbeatIntervalSec', 3.1e6, 1)).toThrow(/heartbeatIntervalSec/);
    expect(durationSec('s', 0, 1, { zero: true })).toBe(0);
  });

  it('integer: within [min, max]', () => {
    expect(integer('n', undefined, 3, 1)).toBe(3);
    expect(() => integer('circuitBreaker.failureThreshold', 0, 3, 1)).toThrow(/circuitBreaker\.failureThreshold/);
    expect(() => integer('n', 1.5, 3, 1)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => integer('n', 11, 3, 1, 10)).toThrow(/from 1 to 10/);
  });

  it('timerDelay: a computed delay a timer can hold', () => {
    expect(timerDelay(Number.NaN, 250)).toBe(250);
    expect(timerDelay(-5, 250)).toBe(0);
    expect(timerDelay(1e12, 250)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Infinity, 250)).toBe(MAX_TIMER_MS);
  });
});
