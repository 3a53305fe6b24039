import { ExchangeConnectionError } from './client/errors.js';
import { MAX_TIMER_MS } from './connection-defaults.js';

/**
 * Range checks for options, one rule per kind of value, each failing with INVALID_CONFIG that names
 * the option. A duration must fit a Node timer: a longer one fires after 1 ms, which turned a
 * 115-day circuit cool-down into a reconnect storm.
 */

export interface DurationRule {
  /** Whether 0 is allowed (a delay may be 0; a timeout or a period may not). Default false. */
  zero?: boolean;
}

/** `value` (or `fallback`) as a timer delay in ms: finite, > 0 (or >= 0), at most MAX_TIMER_MS. */
export function durationMs(name: string, value: number | undefined, fallback: number, rule: DurationRule = {}): number {
  return checkDuration(name, value, fallback, rule, 'ms', MAX_TIMER_MS);
}

/** `value` (or `fallback`) in seconds, within what a timer holds once converted to ms. */
export function durationSec(name: string, value: number | undefined, fallback: number, rule: DurationRule = {}): number {
  return checkDuration(name, value, fallback, rule, 'seconds', MAX_TIMER_MS / 1000);
}

/** `value` (or `fallback`) as an integer within [min, max]. */
export function integer(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ExchangeConnectionError('INVALID_CONFIG', `${name}: must be an integer ${range}`);
  }
  return value;
}

/**
 * A delay computed at run time (a jitter strategy's output) as something a timer can hold: NaN
 * becomes `fallback`, the rest is clamped to [0, MAX_TIMER_MS].
 */
export function timerDelay(ms: number, fallback: number): number {
  const value = Number.isNaN(ms) ? fallback : ms;
  return Math.min(MAX_TIMER_MS, Math.max(0, value));
}

function checkDuration(
  name: string,
  value: number | undefined,
  fallback: number,
  rule: DurationRule,
  unit: string,
  max: number,
): number {
  if (value === undefined) return fallback;
  const aboveFloor = rule.zero ? value >= 0 : value > 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || !aboveFloor || value > max) {
    const floor = rule.zero ? '>= 0' : '> 0';
    throw new ExchangeConnectionError('INVALID_CONFIG', `${name}: must be a number of ${unit} ${floor} and <= ${max}`);
  }
  return value;
}
