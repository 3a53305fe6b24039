import type { JitterStrategy, RandomSource } from './client-types.js';

/**
 * Jitter is kept apart from `calculateBackoff` so the backoff stays exact and testable, while real
 * clients spread their reconnects (a venue outage otherwise ends in a synchronized stampede).
 */

/** Uniform in [0, delay]: best spread, may retry almost at once. */
export function fullJitter(random: RandomSource = Math.random): JitterStrategy {
  return (delayMs) => Math.round(clampUnit(random()) * delayMs);
}

/** Uniform in [delay/2, delay]: keeps at least half of the backoff. */
export function equalJitter(random: RandomSource = Math.random): JitterStrategy {
  return (delayMs) => {
    const half = delayMs / 2;
    return Math.round(half + clampUnit(random()) * half);
  };
}

/** The exact backoff; for tests that assert delays, and for callers that want determinism. */
export const noJitter: JitterStrategy = (delayMs) => delayMs;

/** mulberry32: a tiny seedable PRNG in [0, 1), so a jittered schedule can be replayed in a test. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A misbehaving injected source must not produce a negative or over-cap delay.
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value > 1 ? 1 : value;
}
